package dev.faultline.collector.host;

import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.collector.source.tracefs.raw.TracefsRawSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Looks at this host as collect would meet it: who we run as, the tracing set-up collect makes (tried for
 * real, in a tracefs instance of its own that is removed again), what /dev/kvm answers, the BPF helper's
 * tool, BTF and lockdown. Everything it changes to look (an instance; tracefs or securityfs mounted where
 * they were not) it undoes before returning.
 */
public final class HostProbe {
    /** The vendor modules KVM runs guests with. */
    static final List<String> VENDOR_MODULES = List.of("kvm_intel", "kvm_amd", "kvm_pvm");

    private final Path tracefs;
    private final Path proc;
    private final Path sys;
    private final Path kvm;

    /** This host: tracefs where collect looks for it ({@code --tracefs}), /proc, /sys, /dev/kvm. */
    public HostProbe(Path tracefs) {
        this(tracefs, Path.of("/proc"), Path.of("/sys"), Path.of("/dev/kvm"));
    }

    HostProbe(Path tracefs, Path proc, Path sys, Path kvm) {
        this.tracefs = tracefs;
        this.proc = proc;
        this.sys = sys;
        this.kvm = kvm;
    }

    public HostFacts facts() {
        Map<String, String> status = procStatus();
        return new HostFacts(read(proc.resolve("sys/kernel/osrelease"), "unknown"), effectiveUid(status),
                effectiveCapabilities(status), tracefs(), KvmDevice.ask(kvm), vendors(), bpftrace(),
                Files.exists(sys.resolve("kernel/btf/vmlinux")), lockdown());
    }

    private Map<String, String> procStatus() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : read(proc.resolve("self/status"), "").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    /** Uid: real, effective, saved, filesystem. */
    private static int effectiveUid(Map<String, String> status) {
        String[] ids = status.getOrDefault("Uid", "-1 -1").split("\\s+");
        return Integer.parseInt(ids.length > 1 ? ids[1] : ids[0]);
    }

    private static long effectiveCapabilities(Map<String, String> status) {
        return Long.parseUnsignedLong(status.getOrDefault("CapEff", "0"), 16);
    }

    /** collect's own tracing set-up, with its default kernel filters, made and removed again. */
    private HostFacts.Tracefs tracefs() {
        List<Path> mounts = tracefsMounts();
        boolean wasMounted = Files.exists(tracefs.resolve("available_events"));
        List<String> events = TracefsSession.STANDARD_EVENTS;
        Map<String, String> found = new LinkedHashMap<>();
        int bufferKb = -1;
        try (TracefsSession s = TracefsSession.open(tracefs, events, 4, EventFilters.of(events, null, EventFilters.anonInodeDev()))) {
            for (String ev : events) {
                found.put(ev, s.missing().contains(ev) ? "no such tracepoint in this kernel"
                        : TracefsRawSource.decodeProblem(ev, s.formatFile(ev)));
            }
            int rawCpus;
            try (Stream<Path> cpus = Files.list(s.instance().resolve("per_cpu"))) {
                rawCpus = (int) cpus.filter(c -> Files.exists(c.resolve("trace_pipe_raw"))).count();
            }
            bufferKb = parseInt(read(s.instance().resolve("buffer_size_kb"), "-1"));
            return new HostFacts.Tracefs(tracefs, mounts, null, !wasMounted, found, rawCpus, bufferKb);
        } catch (IOException | RuntimeException e) {
            return new HostFacts.Tracefs(tracefs, mounts, e.getMessage(), false, found, 0, bufferKb);
        }
    }

    private List<Path> tracefsMounts() {
        List<Path> out = new ArrayList<>();
        for (String line : read(proc.resolve("mounts"), "").split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[2].equals("tracefs")) {
                out.add(Path.of(f[1]));
            }
        }
        return out;
    }

    private List<String> vendors() {
        return VENDOR_MODULES.stream().filter(m -> Files.isDirectory(sys.resolve("module").resolve(m))).toList();
    }

    private static HostFacts.Bpftrace bpftrace() {
        Path path = BpfHelper.findBpftrace();
        if (path == null) {
            return new HostFacts.Bpftrace(null, null, "bpftrace is not on PATH");
        }
        Command version = Command.run(20, path.toString(), "--version");
        // the least a helper needs: a BPF program loaded, run and its output read back
        Command run = Command.run(60, path.toString(), "-e", "BEGIN { printf(\"faultline-probe\\n\"); exit(); }");
        String problem = run.succeeded() && run.output().contains("faultline-probe") ? null
                : "a one-line BPF program failed (exit " + run.exit() + "): " + lastLine(run.output());
        return new HostFacts.Bpftrace(path, version.succeeded() ? version.output() : null, problem);
    }

    /**
     * The bracketed mode of securityfs's lockdown file; securityfs is mounted for the read when it is not.
     * Null when the kernel has no lockdown LSM or the file cannot be read.
     */
    private String lockdown() {
        Path security = sys.resolve("kernel/security");
        Path file = security.resolve("lockdown");
        boolean mounted = false;
        if (!Files.exists(file) && Files.isDirectory(security) && isEmpty(security)) {
            mounted = Command.run(10, "mount", "-t", "securityfs", "securityfs", security.toString()).succeeded();
        }
        try {
            String text = read(file, "");
            int open = text.indexOf('[');
            int close = text.indexOf(']');
            return open >= 0 && close > open ? text.substring(open + 1, close) : null;
        } finally {
            if (mounted) {
                Command.run(10, "umount", security.toString());
            }
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(String text) {
        String t = text.strip();
        return t.substring(t.lastIndexOf('\n') + 1);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path file, String otherwise) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return otherwise;
        }
    }
}
