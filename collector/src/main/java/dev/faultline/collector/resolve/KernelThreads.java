package dev.faultline.collector.resolve;

import java.util.List;

/**
 * Kernel threads that log KVM MMU events on behalf of VMs they do not belong to: NX huge page recovery
 * ({@code kvm-nx-lpage-recovery}, a kernel thread before 6.13), DAMON's {@code kdamond}, reclaim and
 * compaction, workqueues. Such a thread never makes a VM of its own when the capture began after the VM.
 */
final class KernelThreads {
    private static final List<String> PREFIXES = List.of("kvm-nx-lpage", "kdamond", "kswapd", "kcompactd", "khugepaged",
            "kworker/", "ksoftirqd/", "kthreadd", "migration/", "rcu_", "<idle>", "swapper");

    private KernelThreads() {
    }

    static boolean named(String comm) {
        if (comm == null) {
            return false;
        }
        for (String p : PREFIXES) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
