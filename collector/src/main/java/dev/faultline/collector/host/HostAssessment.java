package dev.faultline.collector.host;

import dev.faultline.collector.host.Probe.Status;
import dev.faultline.host.HostFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the facts of a host mean for Faultline: a line per probe, which {@link HostFeature}s the host
 * offers (and why not, where not), and the verdict: can collect run here, with which reader and helper.
 */
public final class HostAssessment {
    /** What each event collect enables gives the analyser. */
    private static final Map<String, String> EVENT_MEANING = Map.ofEntries(
            Map.entry("kvm/kvm_page_fault", "PageFault events"),
            Map.entry("kvm/kvm_mmio", "Mmio events"),
            Map.entry("kvm/kvm_pio", "Pio events"),
            Map.entry("kvm/kvm_hypercall", "Hypercall events (MAP_GPA_RANGE conversion requests)"),
            Map.entry("kvm/kvm_userspace_exit", "UserspaceExit events (memory-fault exits)"),
            Map.entry("kvm/kvm_exit", "vCPU exits (the fault before an MMIO)"),
            Map.entry("kvm/kvm_rmp_fault", "RmpFault events (SEV-SNP)"),
            Map.entry("kvm/kvm_vmgexit_enter", "VmgExit events (SEV-SNP page-state changes)"),
            Map.entry("kvm/kvm_unmap_hva_range", "host unmaps of guest memory"),
            Map.entry("kvmmmu/kvm_mmu_set_spte", "SpteChanged events (mapping levels, shadow MMU)"),
            Map.entry("kvmmmu/kvm_tdp_mmu_spte_changed", "SpteChanged events (mapping levels, TDP MMU)"),
            Map.entry("kvmmmu/kvm_mmu_split_huge_page", "huge-page splits"),
            Map.entry("syscalls/sys_enter_ioctl", "VMs, vCPUs, memslots, guest_memfd files, attributes, population"),
            Map.entry("syscalls/sys_exit_ioctl", "the results of those ioctls"),
            Map.entry("syscalls/sys_enter_fallocate", "GmemInvalidation and GmemAllocation events"),
            Map.entry("syscalls/sys_exit_fallocate", "the results of those fallocates"),
            Map.entry("filemap/mm_filemap_add_to_page_cache", "GmemPageAdded events"),
            Map.entry("filemap/mm_filemap_delete_from_page_cache", "GmemPageRemoved events"),
            Map.entry("filemap/mm_filemap_fault", "GmemHostFault events (the host touching guest_memfd pages)"),
            Map.entry("sched/sched_process_exit", "VmDestroyed events"));

    /** KVM_CREATE_VM types, bit n of KVM_CAP_VM_TYPES's answer. */
    private static final List<String> VM_TYPES = List.of("DEFAULT", "SW_PROTECTED", "SEV", "SEV_ES", "SEV_SNP", "TDX");
    private static final long PRIVATE_TYPES = 1L << 1 | 1L << 4 | 1L << 5;
    private static final long SEV_TYPES = 1L << 2 | 1L << 3;

    /** The verdict: collect can run here ({@code blockers} empty), with this reader and helper. */
    public record Verdict(boolean collectCanRun, List<String> blockers, String reader, String readerWhy, String helper) {
    }

    private final HostFacts facts;
    private final List<Probe> probes = new ArrayList<>();
    private final Map<HostFeature, String> missing = new EnumMap<>(HostFeature.class);
    private final Verdict verdict;

    private HostAssessment(HostFacts facts) {
        this.facts = facts;
        privileges();
        tracefs();
        kvm();
        bpf();
        features();
        verdict = judge();
    }

    public static HostAssessment of(HostFacts facts) {
        return new HostAssessment(facts);
    }

    public HostFacts facts() {
        return facts;
    }

    public List<Probe> probes() {
        return Collections.unmodifiableList(probes);
    }

    /** The features this host lacks, each with why. */
    public Map<HostFeature, String> missingFeatures() {
        return Collections.unmodifiableMap(missing);
    }

    public boolean has(HostFeature f) {
        return !missing.containsKey(f);
    }

    public Verdict verdict() {
        return verdict;
    }

    private void privileges() {
        String who = facts.uid() == 0 ? "root" : "uid " + facts.uid();
        boolean admin = facts.hasCapability(HostFacts.CAP_SYS_ADMIN);
        boolean ptrace = facts.hasCapability(HostFacts.CAP_SYS_PTRACE);
        boolean bpf = admin || facts.hasCapability(HostFacts.CAP_BPF) && facts.hasCapability(HostFacts.CAP_PERFMON);
        if (admin && ptrace) {
            probes.add(Probe.ok("privileges", who + " with CAP_SYS_ADMIN and CAP_SYS_PTRACE",
                    "collect can set up tracefs, load the BPF helper and read the VMMs' /proc/PID/fd"));
            return;
        }
        List<String> lacking = new ArrayList<>();
        if (!admin) {
            lacking.add("CAP_SYS_ADMIN (mount tracefs" + (bpf ? ")" : ", load BPF programs)"));
        }
        if (!ptrace) {
            lacking.add("CAP_SYS_PTRACE (read /proc/PID/fd of VMMs run by other users: guest_memfd inodes unknown)");
        }
        probes.add(Probe.degraded("privileges", who + " without " + String.join(", ", lacking),
                "collect runs as root with these; the tracefs and bpftrace probes below show what works as it is"));
    }

    private void tracefs() {
        HostFacts.Tracefs t = facts.tracefs();
        String mounts = t.mountedAt().isEmpty() ? "tracefs is not mounted" : "tracefs mounted at " + t.mountedAt();
        if (!t.usable()) {
            probes.add(Probe.missing("tracefs", mounts + "; collect's set-up at " + t.root() + " failed: " + t.problem(),
                    "collect cannot capture here"));
        } else {
            probes.add(Probe.ok("tracefs", (t.mountedForProbe() ? "not mounted at " + t.root() + ": collect mounts it, as this probe did"
                    : "mounted at " + t.root()) + "; writable, instances supported, options and filters accepted",
                    "collect traces in an instance of its own and leaves the host's tracing alone"));
            probes.add(Probe.ok("ring buffer", "sized per instance (the probe's: " + t.bufferKb() + " KiB per CPU); "
                    + t.rawCpus() + " CPU(s)", "collect gives its instance --buffer-kb per CPU: the default 8192 KiB takes "
                    + (8L * t.rawCpus()) + " MiB here"));
        }
        for (Map.Entry<String, String> e : t.events().entrySet()) {
            String meaning = EVENT_MEANING.getOrDefault(e.getKey(), "");
            if (e.getValue() == null) {
                probes.add(Probe.ok("tracepoint " + e.getKey(), "present, format decodes", meaning));
            } else if (e.getValue().startsWith("no such tracepoint")) {
                probes.add(Probe.missing("tracepoint " + e.getKey(), e.getValue(), "no " + meaning + " from this host"));
            } else {
                probes.add(Probe.degraded("tracepoint " + e.getKey(), "format: " + e.getValue(),
                        "the raw reader skips it: " + meaning + " only with --reader text"));
            }
        }
        if (t.usable()) {
            if (t.rawCpus() > 0 && undecodable().isEmpty()) {
                probes.add(Probe.ok("raw reader", "per_cpu/cpuN/trace_pipe_raw on " + t.rawCpus() + " CPU(s); every format decodes",
                        "collect reads binary ring-buffer pages (--reader raw, the default)"));
            } else {
                probes.add(Probe.degraded("raw reader", t.rawCpus() == 0 ? "no per_cpu/cpuN/trace_pipe_raw in the instance"
                        : "cannot decode " + undecodable(), "use collect --reader text"));
            }
        }
    }

    private List<String> undecodable() {
        return facts.tracefs().events().entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().startsWith("no such tracepoint")).map(Map.Entry::getKey).toList();
    }

    private void kvm() {
        KvmDevice.Answers k = facts.kvm();
        if (!k.present()) {
            probes.add(Probe.missing("/dev/kvm", k.problem(), "no KVM guests on this host"));
        } else if (k.problem() != null) {
            probes.add(Probe.degraded("/dev/kvm", k.problem(), "KVM's capabilities are unknown: every feature below that depends on them is reported missing"));
        } else {
            probes.add(Probe.ok("/dev/kvm", "opened; KVM API version " + k.apiVersion(), "the capabilities below are KVM's own answers"));
        }
        if (facts.vendors().isEmpty()) {
            probes.add(Probe.missing("vendor module", "none of " + HostProbe.VENDOR_MODULES + " is loaded", "KVM cannot run guests"));
        } else if (facts.vendors().contains("kvm_pvm")) {
            probes.add(Probe.degraded("vendor module", String.join(", ", facts.vendors()),
                    "PVM runs guests under emulation: kvm_page_fault, kvm_exit and kvm_hypercall do not fire"));
        } else {
            probes.add(Probe.ok("vendor module", String.join(", ", facts.vendors()), "hardware virtualisation: the CPU reports guest exits"));
        }
        if (k.problem() != null) {
            return;
        }
        long gmem = k.cap(KvmCap.GUEST_MEMFD);
        probes.add(gmem > 0 ? Probe.ok(KvmCap.GUEST_MEMFD.uapiName(), "= " + gmem, "guest_memfd files can be created and bound")
                : Probe.missing(KvmCap.GUEST_MEMFD.uapiName(), "= 0 (KVM_CREATE_GUEST_MEMFD fails with ENOTTY)",
                        "no guest_memfd creation, binding, punch-hole or page events on this host"));
        long flags = k.cap(KvmCap.GUEST_MEMFD_FLAGS);
        probes.add(flags > 0 ? Probe.ok(KvmCap.GUEST_MEMFD_FLAGS.uapiName(), "= 0x" + Long.toHexString(flags) + gmemFlags(flags),
                "guest_memfd files with these flags") : gmem > 0
                ? Probe.degraded(KvmCap.GUEST_MEMFD_FLAGS.uapiName(), "= 0", "guest_memfd only without MMAP / INIT_SHARED")
                : Probe.missing(KvmCap.GUEST_MEMFD_FLAGS.uapiName(), "= 0", "no guest_memfd on this host"));
        long attrs = k.cap(KvmCap.MEMORY_ATTRIBUTES);
        probes.add((attrs & KvmCap.ATTRIBUTE_PRIVATE) != 0
                ? Probe.ok(KvmCap.MEMORY_ATTRIBUTES.uapiName(), "= 0x" + Long.toHexString(attrs) + " (PRIVATE)", "private/shared conversions")
                : Probe.missing(KvmCap.MEMORY_ATTRIBUTES.uapiName(), "= 0x" + Long.toHexString(attrs) + " (no PRIVATE)",
                        "no memory-attribute changes on this host"));
        long types = k.cap(KvmCap.VM_TYPES);
        String typeNames = vmTypes(types);
        probes.add((types & PRIVATE_TYPES) != 0
                ? Probe.ok(KvmCap.VM_TYPES.uapiName(), "= 0x" + Long.toHexString(types) + " (" + typeNames + ")", "VMs with private memory can run here")
                : Probe.missing(KvmCap.VM_TYPES.uapiName(), "= 0x" + Long.toHexString(types) + " (" + typeNames + ")",
                        "no software-protected, SEV-SNP or TDX VMs on this host"));
        long region2 = k.cap(KvmCap.USER_MEMORY2);
        probes.add(region2 > 0 ? Probe.ok(KvmCap.USER_MEMORY2.uapiName(), "= " + region2, "KVM_SET_USER_MEMORY_REGION2 memslots")
                : Probe.missing(KvmCap.USER_MEMORY2.uapiName(), "= 0", "memslots only through KVM_SET_USER_MEMORY_REGION"));
        long prefault = k.cap(KvmCap.PRE_FAULT_MEMORY);
        probes.add(prefault > 0 ? Probe.ok(KvmCap.PRE_FAULT_MEMORY.uapiName(), "= " + prefault, "KVM_PRE_FAULT_MEMORY population")
                : Probe.missing(KvmCap.PRE_FAULT_MEMORY.uapiName(), "= 0", "no pre-fault population on this host"));
    }

    private static String gmemFlags(long flags) {
        List<String> names = new ArrayList<>();
        if ((flags & 1) != 0) {
            names.add("MMAP");
        }
        if ((flags & 2) != 0) {
            names.add("INIT_SHARED");
        }
        return names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
    }

    static String vmTypes(long bits) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((bits >>> i & 1) != 0) {
                names.add(i < VM_TYPES.size() ? VM_TYPES.get(i) : "type " + i);
            }
        }
        return names.isEmpty() ? "none listed" : String.join(", ", names);
    }

    private void bpf() {
        HostFacts.Bpftrace b = facts.bpftrace();
        if (b.path() == null) {
            probes.add(Probe.missing("bpftrace", b.problem() + " (apt-get install bpftrace)",
                    "collect --bpf runs without the helper: memslot, attribute and populate structs unknown"));
        } else if (b.problem() != null) {
            probes.add(Probe.missing("bpftrace", (b.version() == null ? "" : b.version() + " at " + b.path() + ": ") + b.problem(),
                    "the helper cannot run here: memslot, attribute and populate structs unknown"));
        } else {
            probes.add(Probe.ok("bpftrace", b.version() + " at " + b.path() + "; loads and runs a BPF program",
                    "collect --bpf decodes the KVM ioctl structs"));
        }
        probes.add(facts.btf() ? Probe.ok("BTF", "/sys/kernel/btf/vmlinux", "kernel types for BPF programs that want them")
                : Probe.missing("BTF", "no /sys/kernel/btf/vmlinux", "none for Faultline: the bundled helper uses tracepoints only"));
        String mode = facts.lockdown();
        if (mode == null) {
            probes.add(Probe.ok("lockdown", "no lockdown LSM (or securityfs unreadable)", "nothing restricted"));
        } else if (mode.equals("confidentiality")) {
            probes.add(Probe.missing("lockdown", mode, "tracefs and BPF reads of the kernel are refused"));
        } else {
            probes.add(Probe.ok("lockdown", mode, mode.equals("none") ? "nothing restricted"
                    : "restricts debugfs and BPF writes, neither of which Faultline uses"));
        }
    }

    private void features() {
        KvmDevice.Answers k = facts.kvm();
        String kvmUnknown = k.problem() == null ? null : "KVM not asked: " + k.problem();
        need(HostFeature.GUEST_MEMFD, kvmUnknown != null ? kvmUnknown
                : k.cap(KvmCap.GUEST_MEMFD) > 0 ? null : KvmCap.GUEST_MEMFD.uapiName() + " = 0");
        need(HostFeature.MEMORY_ATTRIBUTES, kvmUnknown != null ? kvmUnknown
                : (k.cap(KvmCap.MEMORY_ATTRIBUTES) & KvmCap.ATTRIBUTE_PRIVATE) != 0 ? null
                : KvmCap.MEMORY_ATTRIBUTES.uapiName() + " has no PRIVATE bit");
        long types = k.cap(KvmCap.VM_TYPES);
        need(HostFeature.PRIVATE_VM, kvmUnknown != null ? kvmUnknown
                : (types & PRIVATE_TYPES) != 0 ? null : "VM types offered: " + vmTypes(types));
        need(HostFeature.SEV_VM, kvmUnknown != null ? kvmUnknown
                : (types & SEV_TYPES) != 0 ? null : "VM types offered: " + vmTypes(types));
        String emulated = facts.vendors().contains("kvm_pvm") && facts.vendors().size() == 1
                ? "kvm_pvm emulates guests: the CPU reports no guest exits" : null;
        need(HostFeature.PAGE_FAULTS, tracepoint("kvm/kvm_page_fault", emulated));
        need(HostFeature.HYPERCALLS, tracepoint("kvm/kvm_hypercall", emulated));
        HostFacts.Tracefs t = facts.tracefs();
        need(HostFeature.MMU_EVENTS, t.has("kvmmmu/kvm_mmu_set_spte") || t.has("kvmmmu/kvm_tdp_mmu_spte_changed") ? null
                : "no kvmmmu mapping tracepoint");
        need(HostFeature.PAGE_CACHE_EVENTS, tracepoint("filemap/mm_filemap_add_to_page_cache",
                tracepoint("filemap/mm_filemap_delete_from_page_cache", null)));
        HostFacts.Bpftrace b = facts.bpftrace();
        need(HostFeature.BPF_HELPER, !b.works() ? "bpftrace: " + b.problem()
                : tracepoint("syscalls/sys_enter_ioctl", null));
    }

    /** Why the event cannot be seen (the tracepoint's problem, else {@code otherwise}), or null. */
    private String tracepoint(String event, String otherwise) {
        HostFacts.Tracefs t = facts.tracefs();
        if (!t.usable()) {
            return "tracefs unusable";
        }
        String problem = t.events().getOrDefault(event, "not probed");
        return problem != null ? event + ": " + problem : otherwise;
    }

    private void need(HostFeature f, String whyNot) {
        if (whyNot != null) {
            missing.put(f, whyNot);
        }
    }

    private Verdict judge() {
        List<String> blockers = new ArrayList<>();
        HostFacts.Tracefs t = facts.tracefs();
        if (!t.usable()) {
            blockers.add("tracefs: " + t.problem());
        } else if (t.events().entrySet().stream().noneMatch(e -> e.getKey().startsWith("kvm/") && e.getValue() == null)) {
            blockers.add("no kvm tracepoint: the kvm module is not loaded, so there is nothing to collect");
        }
        if ("confidentiality".equals(facts.lockdown())) {
            blockers.add("kernel lockdown (confidentiality) refuses tracefs");
        }
        String reader;
        String why;
        if (t.usable() && t.rawCpus() > 0 && undecodable().isEmpty()) {
            reader = "raw";
            why = "collect's default: binary per-CPU pages, every format decodes";
        } else {
            reader = "text";
            why = !t.usable() ? "tracefs unusable" : t.rawCpus() == 0 ? "no trace_pipe_raw: run collect --reader text"
                    : "the raw reader cannot decode " + undecodable() + ": run collect --reader text";
        }
        HostFacts.Bpftrace b = facts.bpftrace();
        String helper = b.works() ? b.version() + " (with --bpf)" : "none (" + missing.get(HostFeature.BPF_HELPER) + ")";
        return new Verdict(blockers.isEmpty(), List.copyOf(blockers), reader, why, helper);
    }

    /**
     * What collect says at start on this host: each feature it lacks, and what stops collect, one line each.
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        missing.forEach((f, why) -> out.add("this host shows no " + f.meaning() + " (" + why + ")"));
        if (!out.isEmpty()) {
            out.add("faultline doctor names the rules that get no data from this host");
        }
        verdict.blockers().forEach(b -> out.add("cannot collect: " + b));
        return out;
    }

    /** The probes of one status, in order. */
    public List<Probe> probes(Status status) {
        return probes.stream().filter(p -> p.status() == status).toList();
    }
}
