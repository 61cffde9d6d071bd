package dev.faultline.collector.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link HostProbe} observed, as observed: no judgement here ({@link HostAssessment} makes it), so
 * the judgement can be tested on any host with facts written by hand.
 *
 * @param kernel       the kernel release (/proc/sys/kernel/osrelease)
 * @param uid          the effective user id
 * @param capabilities the effective capability set (CapEff of /proc/self/status)
 * @param tracefs      the tracing set-up collect makes, tried for real
 * @param kvm          what /dev/kvm answered
 * @param vendors      the KVM vendor modules loaded (kvm_intel, kvm_amd, kvm_pvm)
 * @param bpftrace     the helper's tool
 * @param btf          whether /sys/kernel/btf/vmlinux exists
 * @param lockdown     the active lockdown mode (none, integrity, confidentiality), or null where it cannot be read
 */
public record HostFacts(String kernel, int uid, long capabilities, Tracefs tracefs, KvmDevice.Answers kvm,
        List<String> vendors, Bpftrace bpftrace, boolean btf, String lockdown) {

    /**
     * @param root         where tracefs was looked for
     * @param mountedAt    where /proc/mounts has tracefs mounted (may be elsewhere than root, or empty)
     * @param problem      why collect's set-up failed (mount, instance, option or filter refused), or null
     * @param mountedForProbe tracefs was not mounted at root; the probe mounted it and unmounted it again
     * @param events       each event collect enables (system/event): null when present with a format the raw
     *                     reader decodes, otherwise what is wrong ("no such tracepoint", the format error)
     * @param rawCpus      CPUs with a per_cpu/cpuN/trace_pipe_raw in the instance
     * @param bufferKb     the probe's instance's ring buffer per CPU, KiB, as read back after setting it to 4
     */
    public record Tracefs(Path root, List<Path> mountedAt, String problem, boolean mountedForProbe,
            Map<String, String> events, int rawCpus, int bufferKb) {
        public boolean usable() {
            return problem == null;
        }

        /** The event is there and its format decodes. */
        public boolean has(String event) {
            return usable() && events.containsKey(event) && events.get(event) == null;
        }
    }

    /**
     * @param path    the bpftrace found on PATH, or null
     * @param version what {@code bpftrace --version} printed
     * @param problem why a one-line BPF program did not load and run, or null when it did
     */
    public record Bpftrace(Path path, String version, String problem) {
        public boolean works() {
            return path != null && problem == null;
        }
    }

    /** CAP_SYS_ADMIN: mount tracefs, load BPF programs. */
    public static final int CAP_SYS_ADMIN = 21;
    /** CAP_SYS_PTRACE: read another user's /proc/PID/fd links (guest_memfd inodes of VMMs). */
    public static final int CAP_SYS_PTRACE = 19;
    /** CAP_BPF and CAP_PERFMON: BPF without CAP_SYS_ADMIN (Linux 5.8+). */
    public static final int CAP_PERFMON = 38;
    public static final int CAP_BPF = 39;

    public boolean hasCapability(int cap) {
        return (capabilities >>> cap & 1) == 1;
    }
}
