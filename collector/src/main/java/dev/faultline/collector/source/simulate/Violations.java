package dev.faultline.collector.source.simulate;

import static dev.faultline.collector.source.simulate.TraceText.hex;

import java.util.List;

/**
 * One contract violation per rule id, written into a simulated VM's trace (docs/design.md §3 and §4
 * formats). Each is what the rule of that id exists to catch; some also trip a related rule (a private
 * fault outside guest memory is also an implicit conversion), which the analyser rightly reports.
 */
final class Violations {
    static final List<String> KNOWN = List.of("private-fault-emulated-mmio", "private-fault-without-private-memory",
            "private-fault-outside-gmem", "implicit-conversion", "implicit-conversion-storm",
            "gmem-invalidation-outside-binding", "private-memory-discarded", "double-population",
            "shared-access-to-private", "huge-mapping-mixed-attributes", "gmem-memslot-mutated", "gmem-range-double-bound",
            "malformed-conversion-request", "conversion-request-unhonoured", "host-initiated-conversion", "trace-loss");

    private Violations() {
    }

    /** Whether a VM of this type can show the violation. */
    static boolean supports(String rule, VmKind k) {
        return switch (rule) {
            case "private-fault-without-private-memory" -> !k.privateMemory;
            case "trace-loss" -> true;
            // software-protected VMs take private-ness from the attribute: no mismatch to show
            case "implicit-conversion", "implicit-conversion-storm", "private-fault-outside-gmem" ->
                k == VmKind.SNP || k == VmKind.TDX;
            default -> k.privateMemory;
        };
    }

    static void inject(String rule, SimVm vm, SimVm.Output raw) {
        int v = 0;
        switch (rule) {
            case "private-fault-emulated-mmio" -> {
                long p = privatePage(vm);
                vm.fault(v, p, true);
                vm.vcpu(v, "kvm_mmio: mmio write len 4 gpa " + hex(p << 12) + " val 0xdeadbeef");
                vm.vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_MMIO (6)");
            }
            case "private-fault-without-private-memory" ->
                vm.vcpu(v, "kvm_page_fault: vcpu 0 rip 0x0 address " + String.format("0x%016x", vm.randomPage() << 12)
                        + " error_code 0x400000004");
            case "private-fault-outside-gmem" ->
                vm.vcpu(v, "kvm_page_fault: vcpu 0 rip 0x0 address " + String.format("0x%016x", SimVm.RAM + 0x100000)
                        + " error_code " + privateErrorCode(vm));
            case "implicit-conversion" -> sharedAccessToPrivatePage(vm, 1);
            case "implicit-conversion-storm" -> sharedAccessToPrivatePage(vm, 20);
            case "gmem-invalidation-outside-binding" -> {
                vm.main("sys_fallocate(fd: " + SimVm.GMEM_FD + ", mode: 3, offset: " + hex(SimVm.RAM - 0x10000) + ", len: 0x20000)");
                vm.main("sys_fallocate -> 0x0");
            }
            case "private-memory-discarded" -> {
                long p = privatePage(vm);
                vm.fault(v, p, true);
                vm.discard(p, 1);
            }
            case "double-population" ->
                vm.main("faultline_populate: vmfd " + SimVm.VM_FD + " kind pre_fault gpa 0x0 size 0x1000 ret -17");
            case "shared-access-to-private" -> {
                long p = privatePage(vm);
                vm.main("mm_filemap_fault: dev=0:16 ino=" + Long.toHexString(vm.inode) + " ofs=" + (p << 12));
            }
            case "huge-mapping-mixed-attributes" -> {
                long block = 0x200;
                vm.vcpu(v, "kvm_hypercall: nr 0xc a0 " + hex((block + 16) << 12) + " a1 0x10 a2 0x0 a3 0x0");
                vm.vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_HYPERCALL (3)");
                vm.setAttributes((block + 16) << 12, 0x10000, 0);
                vm.shared.set((int) block + 16, (int) block + 32);
                vm.vcpu(v, "kvm_mmu_set_spte: gfn " + Long.toHexString(block) + " spte 600000010000ef7 (rwxu) level 2 at 10a2f008");
            }
            case "gmem-memslot-mutated" -> vm.main("faultline_set_memslot: vmfd " + SimVm.VM_FD
                    + " slot 0 as 0 flags 0x4 gpa 0x0 size 0x0 uaddr 0x7f0000000000 gmem_fd " + SimVm.GMEM_FD + " gmem_offset 0x0 ret 0");
            case "gmem-range-double-bound" -> vm.main("faultline_set_memslot: vmfd " + SimVm.VM_FD
                    + " slot 1 as 0 flags 0x4 gpa 0x80000000 size 0x100000 uaddr 0x7f1000000000 gmem_fd " + SimVm.GMEM_FD
                    + " gmem_offset 0x0 ret 0");
            case "malformed-conversion-request" ->
                vm.vcpu(v, "kvm_hypercall: nr 0xc a0 0x100000 a1 0x8000000000000000 a2 0x10 a3 0x0");
            case "conversion-request-unhonoured" -> {
                vm.vcpu(v, "kvm_hypercall: nr 0xc a0 " + hex(privatePage(vm) << 12) + " a1 0x1 a2 0x0 a3 0x0");
                vm.vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_HYPERCALL (3)");
            }
            case "host-initiated-conversion" -> {
                long p = privatePage(vm);
                vm.setAttributes(p << 12, 0x1000, 0);
                vm.shared.set((int) p);
            }
            case "trace-loss" -> raw.line("CPU:1 [LOST 17 EVENTS]");
            default -> throw new IllegalArgumentException("no violation for " + rule);
        }
    }

    /** Rules judged when later time shows a window closed: the simulator moves time on after these. */
    static boolean needsTimeToPass(String rule) {
        return rule.equals("conversion-request-unhonoured");
    }

    private static void sharedAccessToPrivatePage(SimVm vm, int times) {
        for (int i = 0; i < times; i++) {
            long p = privatePage(vm);
            long gpa = vm.kind == VmKind.TDX ? (p << 12) | (1L << 47) : p << 12;
            // SNP: no private bit on a private page; TDX: the shared alias of a private page
            vm.vcpu(0, "kvm_page_fault: vcpu 0 rip 0x0 address " + String.format("0x%016x", gpa) + " error_code 0x4");
        }
    }

    private static long privatePage(SimVm vm) {
        long p = vm.randomPrivatePage();
        return p < 0 ? 16 : p;
    }

    private static String privateErrorCode(SimVm vm) {
        return vm.kind == VmKind.SNP ? hex((1L << 49) | (1L << 34) | 4) : "0x4";
    }
}
