package dev.faultline.analyser.state;

import java.util.HashMap;
import java.util.Map;

/**
 * The store keys of one VM (its interval spaces, vCPU contexts, rule windows), each string made once. Built
 * per event, every key was a fresh string whose hash the store lookup computed again, several times per
 * event; made once, a key carries its hash. {@link Cache} keeps them for the VMs the processor has seen.
 */
public final class VmKeys {
    private final String vm;
    private final String attributes;
    private final String requests;
    private final String launched;
    private final Map<Long, String> populated = new HashMap<>();
    private final Map<Integer, String> vcpus = new HashMap<>();
    private final Map<Integer, String> threads = new HashMap<>();
    private final Map<String, String> windows = new HashMap<>();

    public VmKeys(String vm) {
        this.vm = vm;
        this.attributes = "attr|" + vm;
        this.requests = "req|" + vm;
        this.launched = "launch|" + vm;
    }

    public String vm() {
        return vm;
    }

    /** The interval space of the VM's memory attributes. */
    String attributes() {
        return attributes;
    }

    /** The interval space of the guest's MAP_GPA_RANGE requests. */
    String requests() {
        return requests;
    }

    /** The interval space of the pages populated at launch. */
    String launched() {
        return launched;
    }

    /** The interval space of a guest_memfd file's populated pages. */
    String populated(long inode) {
        return populated.computeIfAbsent(inode, i -> "pop|" + vm + "|" + Long.toHexString(i));
    }

    /** The vCPU context key: by vCPU index when the event has one, else by thread. */
    public String vcpu(Integer vcpu, int tid) {
        return vcpu != null ? vcpus.computeIfAbsent(vcpu, v -> vm + "|vcpu" + v)
                : threads.computeIfAbsent(tid, t -> vm + "|tid" + t);
    }

    /** A rule's window key. */
    public String window(String rule) {
        return windows.computeIfAbsent(rule, r -> r + "|" + vm);
    }

    /** The keys of the VMs seen lately; forgotten all at once past a bound, so VMs that come and go cost nothing. */
    public static final class Cache {
        private static final int MAX_VMS = 4096;
        private final Map<String, VmKeys> byVm = new HashMap<>();

        public VmKeys of(String vm) {
            VmKeys k = byVm.get(vm);
            if (k == null) {
                if (byVm.size() >= MAX_VMS) {
                    byVm.clear();
                }
                k = new VmKeys(vm);
                byVm.put(vm, k);
            }
            return k;
        }
    }
}
