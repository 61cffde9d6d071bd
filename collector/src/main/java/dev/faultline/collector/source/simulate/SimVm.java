package dev.faultline.collector.source.simulate;

import static dev.faultline.collector.source.simulate.TraceText.hex;

import java.util.BitSet;
import java.util.Random;

/**
 * One simulated VM that keeps the private-memory contract: its faults' private-ness matches the
 * attributes, conversions happen only on a guest request and at once, discards only drop pages the
 * guest made shared, device MMIO goes outside memslots. A benign run raises no alert.
 */
final class SimVm {
    static final long RAM = 256L << 20;
    static final long PAGES = RAM >>> 12;
    static final long DEVICE_GPA = 0xfebf0000L;
    static final int VCPUS = 2;
    static final int KVM_FD = 10;
    static final int VM_FD = 11;
    static final int GMEM_FD = 12;
    static final int CONVERT_PAGES = 16;

    final VmKind kind;
    final int tgid;
    final long inode;
    final Random random;
    private final Clock clock;
    private final Output out;
    /** Pages the guest made shared (private types; all pages start private). */
    final BitSet shared = new BitSet();
    final BitSet populated = new BitSet();
    boolean started;

    interface Output {
        void line(String line);
    }

    interface Clock {
        long tick();
    }

    SimVm(VmKind kind, int index, Random random, Clock clock, Output out) {
        this.kind = kind;
        this.tgid = 1000 + 10 * index;
        this.inode = 0x10000L + index;
        this.random = random;
        this.clock = clock;
        this.out = out;
    }

    // ---- lines

    void main(String event) {
        out.line(TraceText.line("qemu-system-x86", tgid, tgid, 0, clock.tick(), event));
    }

    void vcpu(int v, String event) {
        out.line(TraceText.line("CPU " + v + "/KVM", tgid + 1 + v, tgid, 1 + v, clock.tick(), event));
    }

    /** A plain ioctl pair as ftrace prints it, with the helper's line after the exit when it has one. */
    void ioctl(int fd, long cmd, long arg, long ret, String helper) {
        main("sys_ioctl(fd: " + fd + ", cmd: " + hex(cmd) + ", arg: " + hex(arg) + ")");
        main("sys_ioctl -> " + hex(ret));
        if (helper != null) {
            main(helper);
        }
    }

    // ---- lifecycle

    void create() {
        ioctl(KVM_FD, 0xae01, kind.kvmType, VM_FD, "faultline_create_vm: fd " + KVM_FD + " type " + kind.kvmType + " ret " + VM_FD);
        if (kind.privateMemory) {
            ioctl(VM_FD, 0xc040aed4L, 0x7ffd00001000L, GMEM_FD, "faultline_create_guest_memfd: vmfd " + VM_FD + " size "
                    + hex(RAM) + " flags 0x0 ret " + GMEM_FD + " ino " + hex(inode));
            ioctl(VM_FD, 0x40a0ae49L, 0x7ffd00002000L, 0, "faultline_set_memslot: vmfd " + VM_FD + " slot 0 as 0 flags 0x4 gpa 0x0 size "
                    + hex(RAM) + " uaddr 0x7f0000000000 gmem_fd " + GMEM_FD + " gmem_offset 0x0 ret 0");
            ioctl(VM_FD, 0x4020aed2L, 0x7ffd00003000L, 0, "faultline_set_memory_attributes: vmfd " + VM_FD
                    + " address 0x0 size " + hex(RAM) + " attributes 0x8 flags 0x0 ret 0");
            launch();
        } else {
            ioctl(VM_FD, 0x40a0ae49L, 0x7ffd00002000L, 0, "faultline_set_memslot: vmfd " + VM_FD + " slot 0 as 0 flags 0x0 gpa 0x0 size "
                    + hex(RAM) + " uaddr 0x7f0000000000 gmem_fd 0 gmem_offset 0x0 ret 0");
        }
        for (int v = 0; v < VCPUS; v++) {
            int fd = VM_FD + 2 + v;
            ioctl(VM_FD, 0xae41, v, fd, "faultline_create_vcpu: vmfd " + VM_FD + " id " + v + " ret " + fd);
            vcpu(v, "sys_ioctl(fd: " + fd + ", cmd: 0xae80, arg: 0)");
        }
    }

    /** SNP launch update / TDX init-mem-region of the first 16 pages (the firmware), each page once. */
    private void launch() {
        String populateKind = kind == VmKind.SNP ? "snp_launch_update" : kind == VmKind.TDX ? "tdx_init_mem_region" : null;
        for (int p = 0; p < 16; p++) {
            addPage(p, -1);
        }
        if (populateKind != null) {
            ioctl(VM_FD, kind == VmKind.SNP ? 0xc008aebaL : 0xc040aed5L, 0x7ffd00004000L, 0,
                    "faultline_populate: vmfd " + VM_FD + " kind " + populateKind + " gpa 0x0 size 0x10000 ret 0");
        }
    }

    void destroy() {
        for (int v = 0; v < VCPUS; v++) {
            vcpu(v, "sys_ioctl -> 0x0");
            vcpu(v, "sched_process_exit: comm=CPU " + v + "/KVM pid=" + (tgid + 1 + v) + " prio=120 group_dead=false");
        }
        main("sched_process_exit: comm=qemu-system-x86 pid=" + tgid + " prio=120 group_dead=true");
    }

    // ---- steady state

    void step() {
        started = true;
        int v = random.nextInt(VCPUS);
        int r = random.nextInt(100);
        if (!kind.privateMemory) {
            if (r < 55) {
                fault(v, randomPage(), false);
            } else if (r < 85) {
                deviceMmio(v);
            } else {
                pio(v);
            }
            return;
        }
        if (r < 40) {
            long p = randomPrivatePage();
            if (p >= 0) {
                fault(v, p, true);
                return;
            }
        } else if (r < 55) {
            long p = randomSharedPage();
            if (p >= 0) {
                fault(v, p, false);
                return;
            }
        } else if (r < 70) {
            deviceMmio(v);
            return;
        } else if (r < 80) {
            pio(v);
            return;
        } else if (r < 86) {
            convert(v, true);
            return;
        } else if (r < 92) {
            convert(v, false);
            return;
        } else {
            long p = randomPage();
            vcpu(v, "kvm_mmu_set_spte: gfn " + Long.toHexString(p) + " spte 600000010000ef7 (rwxu) level 1 at 10a2f008");
            return;
        }
        pio(v);
    }

    /** A fault on page p: private or shared per the VM type's encoding (docs/design.md §4). */
    void fault(int v, long p, boolean priv) {
        long gpa = p << 12;
        long err = random.nextBoolean() ? 0x4 : 0x6;
        if (kind == VmKind.SNP && priv) {
            err |= (1L << 49) | (1L << 34);
        }
        if (kind == VmKind.TDX && !priv) {
            gpa |= 1L << 47;
        }
        vcpu(v, "kvm_page_fault: vcpu " + v + " rip 0xffffffff81" + String.format("%06x", random.nextInt(1 << 24))
                + " address " + String.format("0x%016x", gpa) + " error_code " + hex(err));
        if (priv && !populated.get((int) p)) {
            addPage(p, v);
        }
    }

    void addPage(long p, int v) {
        populated.set((int) p);
        String line = "mm_filemap_add_to_page_cache: dev 0:16 ino " + Long.toHexString(inode) + " pfn=" + hex(0x100000 + p)
                + " ofs=" + (p << 12) + " order=0";
        if (v < 0) {
            main(line);
        } else {
            vcpu(v, line);
        }
    }

    void deviceMmio(int v) {
        long gpa = DEVICE_GPA + 4L * random.nextInt(64);
        long faultGpa = kind == VmKind.TDX ? gpa | (1L << 47) : gpa;
        vcpu(v, "kvm_page_fault: vcpu " + v + " rip 0xffffffff81a0c3d2 address " + String.format("0x%016x", faultGpa) + " error_code 0xe");
        if (random.nextBoolean()) {
            vcpu(v, "kvm_mmio: mmio write len 4 gpa " + hex(faultGpa) + " val " + hex(random.nextInt(256)));
            vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_MMIO (6)");
        } else {
            vcpu(v, "kvm_mmio: mmio unsatisfied-read len 4 gpa " + hex(faultGpa) + " val 0x0");
            vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_MMIO (6)");
            vcpu(v, "kvm_mmio: mmio read len 4 gpa " + hex(faultGpa) + " val " + hex(random.nextInt(1 << 16)));
        }
    }

    void pio(int v) {
        vcpu(v, "kvm_pio: pio_write at 0x3f8 size 1 count 1 val " + hex(0x20 + random.nextInt(90)) + " ");
        vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_IO (2)");
    }

    /** The guest converts 16 aligned pages; the VMM honours it at once, and discards what became shared. */
    void convert(int v, boolean toShared) {
        // Chunks of 16 pages are converted whole, so a chunk is all private or all shared.
        long first = -1;
        for (int tries = 0; tries < 8 && first < 0; tries++) {
            long c = 16 + (long) random.nextInt((int) ((PAGES - 16) / CONVERT_PAGES)) * CONVERT_PAGES;
            if (shared.get((int) c) != toShared) {
                first = c;
            }
        }
        if (first < 0) {
            pio(v);
            return;
        }
        long gpa = first << 12;
        long size = (long) CONVERT_PAGES << 12;
        if (kind == VmKind.SNP) {
            vcpu(v, "kvm_vmgexit_enter: vcpu " + v + ", exit_reason 80000010, exit_info1 0, exit_info2 0");
            vcpu(v, "kvm_userspace_exit: reason 0x27 (39)");
        } else {
            vcpu(v, "kvm_hypercall: nr 0xc a0 " + hex(gpa) + " a1 " + hex(CONVERT_PAGES) + " a2 " + (toShared ? "0x0" : "0x10") + " a3 0x0");
            vcpu(v, "kvm_userspace_exit: reason KVM_EXIT_HYPERCALL (3)");
        }
        setAttributes(gpa, size, toShared ? 0 : 8);
        if (toShared) {
            shared.set((int) first, (int) first + CONVERT_PAGES);
            discard(first, CONVERT_PAGES);
        } else {
            shared.clear((int) first, (int) first + CONVERT_PAGES);
        }
    }

    void setAttributes(long gpa, long size, long attributes) {
        main("sys_ioctl(fd: " + VM_FD + ", cmd: 0x4020aed2, arg: 0x7ffd00003000)");
        main("faultline_set_memory_attributes: vmfd " + VM_FD + " address " + hex(gpa) + " size " + hex(size)
                + " attributes " + hex(attributes) + " flags 0x0 ret 0");
        main("sys_ioctl -> 0x0");
    }

    /** fallocate(PUNCH_HOLE) of pages [first, first + n), with the page-cache removals inside the call. */
    void discard(long first, int n) {
        main("sys_fallocate(fd: " + GMEM_FD + ", mode: 3, offset: " + hex(first << 12) + ", len: " + hex((long) n << 12) + ")");
        for (long p = first; p < first + n; p++) {
            if (populated.get((int) p)) {
                main("mm_filemap_delete_from_page_cache: dev 0:16 ino " + Long.toHexString(inode) + " pfn=" + hex(0x100000 + p)
                        + " ofs=" + (p << 12) + " order=0");
                populated.clear((int) p);
            }
        }
        main("sys_fallocate -> 0x0");
    }

    long randomPage() {
        return 16 + random.nextInt((int) PAGES - 16);
    }

    /** A private page, or -1. */
    long randomPrivatePage() {
        for (int i = 0; i < 8; i++) {
            long p = randomPage();
            if (!shared.get((int) p)) {
                return p;
            }
        }
        return -1;
    }

    long randomSharedPage() {
        if (shared.isEmpty()) {
            return -1;
        }
        int from = shared.nextSetBit(random.nextInt((int) PAGES));
        return from < 0 ? shared.nextSetBit(0) : from;
    }
}
