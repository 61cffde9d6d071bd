package dev.faultline.collector.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.Replay;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Mmio;
import dev.faultline.events.PageFault;
import dev.faultline.events.Populate;
import dev.faultline.events.PopulateKind;
import dev.faultline.events.VcpuCreated;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmDestroyed;
import dev.faultline.events.VmType;
import org.junit.jupiter.api.Test;

class VmResolverTest {
    static final String P = "qemu-100   (  100) [000] ..... ";

    static String l(String ts, String rest) {
        return P + ts + ": " + rest;
    }

    static String t(int tid, String ts, String rest) {
        return "qemu-" + tid + "   (  100) [001] ..... " + ts + ": " + rest;
    }

    static final String[] SNP_VM = {
        l("1.000001", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)"),
        l("1.000002", "sys_ioctl -> 0x5"),
        l("1.000003", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)"),
        l("1.000004", "sys_ioctl -> 0x7"),
        t(101, "1.000005", "sys_ioctl(fd: 7, cmd: 0xae80, arg: 0)"),
    };

    @Test
    void plainIoctlsMakeVmAndVcpu() {
        Replay r = Replay.lines(SNP_VM);
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> {
            assertThat(v.getVmType()).isEqualTo(VmType.SEV_SNP);
            assertThat(v.getVmFd()).isEqualTo(5);
            assertThat(v.getKvmFd()).isEqualTo(3);
        });
        assertThat(r.bodies(VcpuCreated.class)).singleElement().satisfies(v -> {
            assertThat(v.getVcpuId()).isZero();
            assertThat(v.getVcpuFd()).isEqualTo(7);
        });
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/100/5@1.000002");
    }

    @Test
    void vcpuThreadEventsCarryVcpuAndPrivateBitPerType() {
        Replay r = Replay.lines(concat(SNP_VM,
                t(101, "1.000010", "kvm_page_fault: vcpu 0 rip 0x1000 address 0x0000000000100000 error_code 0x2000000000004"),
                t(101, "1.000011", "kvm_page_fault: vcpu 0 rip 0x1000 address 0x00000000fee00000 error_code 0x400000004"),
                t(101, "1.000012", "kvm_mmio: mmio write len 4 gpa 0xfee00000 val 0x1")));
        var faults = r.ofType(PageFault.class);
        assertThat(faults).extracting(e -> ((PageFault) e.getBody()).getPrivate$()).containsExactly(true, false);
        assertThat(faults).allMatch(e -> e.getHeader().getVcpu() == 0 && e.getHeader().getTid() == 101);
        assertThat(r.ofType(Mmio.class)).singleElement().satisfies(e -> assertThat(e.getHeader().getVm()).isEqualTo("lab/100/5@1.000002"));
    }

    @Test
    void sevBit34IsNeverPrivate() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x2)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "kvm_page_fault: vcpu 0 rip 0x0 address 0x1000 error_code 0x400000004"));
        assertThat(r.bodies(PageFault.class)).singleElement().satisfies(f -> assertThat(f.getPrivate$()).isFalse());
    }

    @Test
    void tdxSharedBit() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x5)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "kvm_page_fault: vcpu 0 rip 0x0 address 0x800000001000 error_code 0x4"),
                l("1.4", "kvm_page_fault: vcpu 0 rip 0x0 address 0x1000 error_code 0x4"));
        assertThat(r.bodies(PageFault.class)).extracting(PageFault::getPrivate$).containsExactly(false, true);
    }

    @Test
    void softwareProtectedLeavesPrivateToTheAnalyser() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x1)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "kvm_page_fault: vcpu 0 rip 0x0 address 0x1000 error_code 0x2000000000004"));
        assertThat(r.bodies(PageFault.class)).singleElement().satisfies(f -> assertThat(f.getPrivate$()).isNull());
    }

    /** docs/design.md §4: plain ioctl lines and the helper's line of the same call are one object. */
    @Test
    void helperLineAfterExitMergesIntoTheCall() {
        Replay r = Replay.lines(
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.2", "faultline_create_vm: fd 3 type 4 ret 5"),
                l("1.3", "sys_ioctl(fd: 5, cmd: 0xc040aed4, arg: 0x7ffc0000)"), l("1.4", "sys_ioctl -> 0x6"),
                l("1.4", "faultline_create_guest_memfd: vmfd 5 size 0x200000 flags 0x3 ret 6 ino 0x5def"),
                l("1.5", "sys_ioctl(fd: 5, cmd: 0x40a0ae49, arg: 0x7ffc0100)"), l("1.6", "sys_ioctl -> 0x0"),
                l("1.6", "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x200000 uaddr 0x7f32a7447000 gmem_fd 6 gmem_offset 0x0 ret 0"),
                l("1.7", "mm_filemap_add_to_page_cache: dev 0:16 ino 5def pfn=0x105654 ofs=0 order=0"));
        assertThat(r.bodies(VmCreated.class)).hasSize(1);
        assertThat(r.bodies(GmemCreated.class)).singleElement()
                .isEqualTo(new GmemCreated(6, 0x5defL, 0x200000L, 3L));
        assertThat(r.bodies(MemslotSet.class)).singleElement()
                .isEqualTo(new MemslotSet("SET_USER_MEMORY_REGION2", 1, 0, 4L, 0x100000L, 0x200000L, 0x7f32a7447000L, 6, 0x5defL, 0L));
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/100/5@1.200000");
    }

    /**
     * A syscall waits for its exit past the line that began it, and the reader has reused that line's
     * bytes by then (Replay.lines scrambles them): what is reported at the end is still its own text.
     */
    @Test
    void aSyscallHeldPastItsLineKeepsItsText() {
        Replay r = Replay.lines(SNP_VM[0], SNP_VM[1], l("1.000003", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)"),
                l("1.4", "kvm_exit: reason EXTERNAL_INTERRUPT rip 0x1 info 0 0"));
        assertThat(r.stats.samples().get("syscall-without-exit")).isEqualTo("sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)");
    }

    /** Calls still open at the end are closed in the order they began, whatever their thread ids. */
    @Test
    void callsWithoutExitAreClosedInTheOrderTheyBegan() {
        for (int[] tids : new int[][] {{900, 20}, {20, 900}, {4097, 1}, {1, 4097}}) {
            Replay r = Replay.lines(t(tids[0], "1.1", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)"),
                    t(tids[1], "1.2", "sys_ioctl(fd: 6, cmd: 0xae41, arg: 0)"));
            assertThat(r.stats.skipped()).as("tids %d, %d", tids[0], tids[1]).containsEntry("syscall-without-exit", 2L);
            assertThat(r.stats.samples().get("syscall-without-exit")).as("tids %d, %d", tids[0], tids[1])
                    .isEqualTo("sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)");
        }
    }

    @Test
    void helperLineBeforeExitMergesToo() {
        Replay r = Replay.lines(
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)"), l("1.2", "faultline_create_vm: fd 3 type 4 ret 5"),
                l("1.2", "sys_ioctl -> 0x5"),
                l("1.5", "sys_ioctl(fd: 5, cmd: 0x4020aed2, arg: 0x7ffc0100)"),
                l("1.6", "faultline_set_memory_attributes: vmfd 5 address 0x100000 size 0x200000 attributes 0x8 flags 0x0 ret 0"),
                l("1.6", "sys_ioctl -> 0x0"));
        assertThat(r.bodies(VmCreated.class)).hasSize(1);
        assertThat(r.bodies(MemoryAttributes.class)).singleElement().isEqualTo(new MemoryAttributes(0x100000L, 0x200000L, 8L, 0L));
    }

    @Test
    void helperLinesAloneAreEnough() {
        Replay r = Replay.lines(
                l("1.2", "faultline_create_vm: fd 3 type 4 ret 5"),
                l("1.3", "faultline_create_vcpu: vmfd 5 id 0 ret 7"),
                l("1.4", "faultline_populate: vmfd 5 kind snp_launch_update gpa 0x100000 size 0x1000 ret 0"),
                l("1.5", "faultline_populate: vmfd 5 kind snp_launch_update gpa 0x100000 size 0x1000 ret -17"),
                // a vCPU the helper did not see created: no VM fd, the process's VM
                l("1.6", "faultline_populate: vmfd -1 kind pre_fault gpa 0x300000 size 0x1000 ret 0"));
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> assertThat(v.getVmType()).isEqualTo(VmType.SEV_SNP));
        assertThat(r.bodies(VcpuCreated.class)).hasSize(1);
        assertThat(r.bodies(Populate.class)).extracting(Populate::getRet).containsExactly(0L, -17L, 0L);
        assertThat(r.bodies(Populate.class)).extracting(Populate::getKind).containsExactly(PopulateKind.SNP_LAUNCH_UPDATE,
                PopulateKind.SNP_LAUNCH_UPDATE, PopulateKind.PRE_FAULT);
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/100/5@1.200000");
    }

    @Test
    void populateOnAVcpuFdBelongsToTheVcpusVm() {
        // TDX's INIT_MEM_REGION and KVM_PRE_FAULT_MEMORY are vCPU ioctls: the plain line names the vCPU fd (7)
        Replay r = Replay.lines(
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x5)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)"), l("1.4", "sys_ioctl -> 0x7"),
                l("1.5", "sys_ioctl(fd: 7, cmd: 0xc008aeba, arg: 0x7ffc0100)"),
                l("1.6", "faultline_populate: vmfd 5 kind tdx_init_mem_region gpa 0x104000 size 0x3000 ret 0"),
                l("1.6", "sys_ioctl -> 0x0"),
                l("1.7", "sys_ioctl(fd: 7, cmd: 0xc040aed5, arg: 0x7ffc0100)"), l("1.8", "sys_ioctl -> 0x0"),
                l("1.8", "faultline_populate: vmfd 5 kind pre_fault gpa 0x200000 size 0x1000 ret 0"),
                // another MEMORY_ENCRYPT_OP command (not a populate): the helper prints nothing for it
                l("1.9", "sys_ioctl(fd: 5, cmd: 0xc008aeba, arg: 0x7ffc0200)"), l("2.0", "sys_ioctl -> 0x0"),
                l("2.1", "sys_ioctl(fd: 7, cmd: 0xae80, arg: 0)"));
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> assertThat(v.getVmType()).isEqualTo(VmType.TDX));
        assertThat(r.bodies(Populate.class)).containsExactly(
                new Populate(PopulateKind.TDX_INIT_MEM_REGION, 0x104000L, 0x3000L, 0L),
                new Populate(PopulateKind.PRE_FAULT, 0x200000L, 0x1000L, 0L));
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/100/5@1.200000");
        assertThat(r.stats.skipped()).containsEntry("ioctl-without-detail", 1L);
    }

    @Test
    void aVcpuFdNumberReusedForANewVmNamesTheNewVm() {
        Replay r = Replay.lines(concat(SNP_VM,
                // vCPU fd 7 closed (close is not traced), its number given to a second VM
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)"), l("1.2", "sys_ioctl -> 0x7"),
                l("1.3", "sys_ioctl(fd: 7, cmd: 0xc008aeba, arg: 0x7ffc0100)"),
                l("1.4", "faultline_populate: vmfd 7 kind snp_launch_update gpa 0x100000 size 0x1000 ret 0"),
                l("1.4", "sys_ioctl -> 0x0")));
        assertThat(r.ofType(Populate.class)).singleElement()
                .satisfies(e -> assertThat(e.getHeader().getVm()).isEqualTo("lab/100/7@1.200000"));
    }

    @Test
    void attributesWithoutHelperAreCountedNotInvented() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x1)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.5", "sys_ioctl(fd: 5, cmd: 0x4020aed2, arg: 0x7ffc0100)"), l("1.6", "sys_ioctl -> 0x0"));
        assertThat(r.bodies(MemoryAttributes.class)).isEmpty();
        assertThat(r.stats.skipped()).containsEntry("ioctl-without-detail", 1L);
    }

    @Test
    void pidReuseMakesANewVm() {
        Replay r = Replay.lines(
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x0)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "kvm_mmio: mmio write len 4 gpa 0xd0000000 val 0x41"),
                l("2.0", "sched_process_exit: comm=qemu pid=100 prio=120 group_dead=true"),
                l("3.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x0)"), l("3.2", "sys_ioctl -> 0x5"),
                l("3.3", "kvm_mmio: mmio write len 4 gpa 0xd0000000 val 0x41"));
        assertThat(r.bodies(VmDestroyed.class)).hasSize(1);
        assertThat(r.ofType(Mmio.class)).extracting(e -> e.getHeader().getVm())
                .containsExactly("lab/100/5@1.200000", "lab/100/5@3.200000");
    }

    @Test
    void fallocateOnOtherFilesIsNotGmem() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x0)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.3", "sys_fallocate(fd: 9, mode: 3, offset: 0, len: 0x1000)"), l("1.4", "sys_fallocate -> 0x0"));
        assertThat(r.bodies(GmemInvalidation.class)).isEmpty();
        assertThat(r.stats.skipped()).containsEntry("fallocate-not-gmem", 1L);
    }

    /** The punch-hole's page removals are logged inside the call; the invalidation is emitted first. */
    @Test
    void punchHoleComesBeforeItsPageRemovals() {
        Replay r = Replay.lines(
                l("1.1", "faultline_create_vm: fd 3 type 4 ret 5"),
                l("1.2", "faultline_create_guest_memfd: vmfd 5 size 0x200000 flags 0x0 ret 6 ino 0x77"),
                l("1.3", "mm_filemap_add_to_page_cache: dev 0:16 ino 77 pfn=0x1000 ofs=0 order=0"),
                l("2.1", "sys_fallocate(fd: 6, mode: 3, offset: 0, len: 0x1000)"),
                l("2.2", "mm_filemap_delete_from_page_cache: dev 0:16 ino 77 pfn=0x1000 ofs=0 order=0"),
                l("2.3", "sys_fallocate -> 0x0"),
                l("3.1", "mm_filemap_delete_from_page_cache: dev 0:16 ino 77 pfn=0x1001 ofs=4096 order=0"));
        assertThat(r.events).extracting(e -> e.getBody().getClass().getSimpleName()).containsExactly(
                "VmCreated", "GmemCreated", "GmemPageAdded", "GmemInvalidation", "GmemPageRemoved", "GmemPageRemoved");
        dev.faultline.collector.RealFixturesTest.assertSequenced(r.events);
    }

    @Test
    void failedIoctlChangesNothing() {
        Replay r = Replay.lines(l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x9)"), l("1.2", "sys_ioctl -> 0xffffffffffffffea"));
        assertThat(r.bodies(VmCreated.class)).isEmpty();
        assertThat(r.stats.skipped()).containsEntry("ioctl-failed", 1L);
    }

    @Test
    void lostEventsBecomeTraceLoss() {
        Replay r = Replay.lines(l("1.1", "kvm_mmio: mmio write len 4 gpa 0xd0000000 val 0x41"), "CPU:1 [LOST 111 EVENTS]");
        assertThat(r.bodies(dev.faultline.events.TraceLoss.class)).singleElement().satisfies(t -> {
            assertThat(t.getCpu()).isEqualTo(1);
            assertThat(t.getCount()).isEqualTo(111);
        });
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Without a tgid column a new thread joins a process of its name: one with a VM before one without,
     * then the newest (highest tgid), whatever order the processes are kept in.
     */
    @Test
    void withoutTgidANewThreadJoinsTheNewestProcessWithAVm() {
        // processes known with their tgid, then a thread of a trace without the column; pids chosen so a
        // HashMap would iterate them in another order than their values
        String[] lines = {
            "qemu-600 (  600) [000] 1.000001: sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x0)",
            "qemu-600 (  600) [000] 1.000002: sys_ioctl -> 0x5",
            "qemu-1030 ( 1030) [000] 1.000003: sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x0)",
            "qemu-1030 ( 1030) [000] 1.000004: sys_ioctl -> 0x6",
            "qemu-70 (   70) [000] 1.000005: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41",
            "qemu-1100 [001] 1.000006: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
        };
        Replay r = Replay.lines(lines);
        assertThat(r.ofType(Mmio.class)).singleElement()
                .satisfies(e -> assertThat(e.getHeader().getVm()).isEqualTo("lab/1030/6@1.000004"));
    }

    /**
     * A capture that began while the VM ran (no KVM_CREATE_VM in it): the process's first KVM event attaches a
     * VM of unknown type, named by host, tgid and first-seen time; its MMU events, and a later call on its VM fd,
     * land on the same VM. A kernel thread's MMU events make no VM.
     */
    @Test
    void aVmRunningBeforeTheCaptureIsAttachedAtItsFirstEvent() {
        Replay r = Replay.lines(
                t(101, "5.000001", "kvm_exit: vcpu 0 reason EPT_VIOLATION rip 0xfff0 info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000"),
                t(101, "5.000002", "kvm_page_fault: vcpu 0 rip 0xfff0 address 0x00000000000f0000 error_code 0x181"),
                t(101, "5.000003", "kvm_mmu_set_spte: gfn f0 spte 600000012a0f0b77 (rwxu) level 1 at 12a0f0b77"),
                "kvm-nx-lpage-re-950 (  950) [000] ..... 5.000004: kvm_mmu_set_spte: gfn f1 spte 600000012a0f1b77 (rwxu) level 1 at 12a0f1b77",
                l("5.1", "sys_ioctl(fd: 12, cmd: 0x4020aed2, arg: 0x7ffc0000)"), l("5.2", "sys_ioctl -> 0x0"),
                l("5.2", "faultline_set_memory_attributes: vmfd 12 address 0x100000 size 0x1000 attributes 0x8 flags 0x0 ret 0"));
        assertThat(r.bodies(VmCreated.class)).singleElement()
                .isEqualTo(new VmCreated(VmType.UNKNOWN, -1L, null, -1, true));
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/100@5.000001");
        assertThat(r.events).extracting(e -> e.getBody().getClass().getSimpleName())
                .containsExactly("VmCreated", "VcpuExit", "PageFault", "SpteChanged", "MemoryAttributes");
        assertThat(r.stats.skipped()).containsEntry("no-vm:kvm_mmu_set_spte", 1L);
        assertThat(r.bodies(PageFault.class)).singleElement().satisfies(f -> assertThat(f.getPrivate$()).isNull());
    }

    /** Without a tgid column the attached VM is named by the thread: comm and tid. */
    @Test
    void withoutTgidAnAttachedVmIsNamedByCommAndTid() {
        Replay r = Replay.lines("CPU 0/KVM-4242 [003] 7.250000: kvm_mmio: mmio write len 4 gpa 0xfee00000 val 0x1");
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/CPU 0/KVM-4242@7.250000");
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> assertThat(v.getAttached()).isTrue());
    }

    /** A VM seen first through a call on its fd is attached with that fd; a VM created in the trace is not. */
    @Test
    void aVmFdFirstSeenInACallIsAttachedWithItsFd() {
        Replay r = Replay.lines(concat(new String[] {
                l("0.1", "sys_ioctl(fd: 9, cmd: 0xae41, arg: 0x1)"), l("0.2", "sys_ioctl -> 0xa")}, SNP_VM));
        assertThat(r.bodies(VmCreated.class)).extracting(VmCreated::getAttached, VmCreated::getVmFd, VmCreated::getVmType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(true, 9, VmType.UNKNOWN),
                        org.assertj.core.groups.Tuple.tuple(false, 5, VmType.SEV_SNP));
        assertThat(r.ofType(VcpuCreated.class)).extracting(e -> e.getHeader().getVm())
                .containsExactly("lab/100/9@0.200000", "lab/100/5@1.000002");
    }

    /**
     * trace-cmd report and trace.dat have no tgid column: QEMU's vCPU thread {@code CPU 0/KVM} is named otherwise
     * than its process, and joins it by the vCPU fd of its KVM_RUN.
     */
    @Test
    void withoutTgidAVcpuThreadJoinsItsProcessByItsKvmRunFd() {
        Replay r = Replay.lines(
                "qemu-system-x86-100 [000] 1.000001: sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)",
                "qemu-system-x86-100 [000] 1.000002: sys_ioctl -> 0x5",
                "qemu-system-x86-100 [000] 1.000003: sys_ioctl(fd: 5, cmd: 0xae41, arg: 0x0)",
                "qemu-system-x86-100 [000] 1.000004: sys_ioctl -> 0x7",
                "CPU 0/KVM-101 [001] 1.000005: sys_ioctl(fd: 7, cmd: 0xae80, arg: 0x0)",
                "CPU 0/KVM-101 [001] 1.000006: kvm_mmio: mmio write len 4 gpa 0xfee00000 val 0x1");
        assertThat(r.ofType(Mmio.class)).singleElement().satisfies(e -> {
            assertThat(e.getHeader().getVm()).isEqualTo("lab/100/5@1.000002");
            assertThat(e.getHeader().getVcpu()).isZero();
        });
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> assertThat(v.getAttached()).isFalse());
    }
}
