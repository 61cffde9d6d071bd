package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.events.GmemHostFault;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.HugePageSplit;
import dev.faultline.events.HvaRangeUnmapped;
import dev.faultline.events.Hypercall;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.PageFault;
import dev.faultline.events.Pio;
import dev.faultline.events.RmpFault;
import dev.faultline.events.SpteChanged;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VcpuExit;
import dev.faultline.events.VmgExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One example per print format of docs/design.md §3 and of the BPF helper's lines (§4). */
class PayloadParsersTest {
    private final PayloadParsers parsers = new PayloadParsers();

    private Object parse(String event, String payload) {
        return parsers.parse(event, payload);
    }

    @Test
    void pageFaultKeepsAll64Bits() {
        assertThat(parse("kvm_page_fault", "vcpu 1 rip 0xffffffff81000000 address 0x00000000fee00000 error_code 0x2000000000006"))
                .isEqualTo(new PageFault(1, 0xffffffff81000000L, 0xfee00000L, 0x2000000000006L, null));
        PageFault f = (PageFault) parse("kvm_page_fault", "vcpu 0 rip 0x0 address 0xffffffffffffffff error_code 0x0");
        assertThat(f.getGpa()).isEqualTo(-1L);
    }

    @ParameterizedTest
    @CsvSource({"mmio write len 4 gpa 0xd0000000 val 0x41,WRITE,4,0xd0000000,0x41",
        "mmio unsatisfied-read len 4 gpa 0xd0000004 val 0x0,UNSATISFIED_READ,4,0xd0000004,0x0",
        "mmio read len 8 gpa 0xd0000004 val 0x5a5a5a5a5a5a5a5a,READ,8,0xd0000004,0x5a5a5a5a5a5a5a5a"})
    void mmio(String payload, MmioKind kind, int len, String gpa, String val) {
        assertThat(parse("kvm_mmio", payload)).isEqualTo(new Mmio(kind, len, Long.decode(gpa), Long.parseUnsignedLong(val.substring(2), 16)));
    }

    @Test
    void pio() {
        assertThat(parse("kvm_pio", "pio_write at 0x3f8 size 1 count 1 val 0x41 ")).isEqualTo(new Pio(true, 0x3f8, 1, 1, 0x41L));
        assertThat(parse("kvm_pio", "pio_read at 0x70 size 2 count 4 val 0xffff (...)")).isEqualTo(new Pio(false, 0x70, 2, 4, 0xffffL));
    }

    @Test
    void hypercallMapGpaRange() {
        assertThat(parse("kvm_hypercall", "nr 0xc a0 0x100000 a1 0x200 a2 0x10 a3 0x0"))
                .isEqualTo(new Hypercall(0xcL, 0x100000L, 0x200L, 0x10L, 0L));
    }

    @Test
    void userspaceExitSymbolicHexAndErrno() {
        assertThat(parse("kvm_userspace_exit", "reason KVM_EXIT_MMIO (6)")).isEqualTo(new UserspaceExit(6, "KVM_EXIT_MMIO", null));
        assertThat(parse("kvm_userspace_exit", "reason 0x27 (39)")).isEqualTo(new UserspaceExit(39, "0x27", null));
        assertThat(parse("kvm_userspace_exit", "reason restart (-4)")).isEqualTo(new UserspaceExit(null, "restart", -4));
        assertThat(parse("kvm_userspace_exit", "reason error (-14)")).isEqualTo(new UserspaceExit(null, "error", -14));
        // what the kernel prints: -errno (include/trace/events/kvm.h), found by RecordPathMatchesTextTest
        assertThat(parse("kvm_userspace_exit", "reason restart (4)")).isEqualTo(new UserspaceExit(null, "restart", -4));
        assertThat(parse("kvm_userspace_exit", "reason error (14)")).isEqualTo(new UserspaceExit(null, "error", -14));
        assertThat(parse("kvm_userspace_exit", "reason 0xffffffff (-1)")).isEqualTo(new UserspaceExit(-1, "0xffffffff", null));
    }

    @Test
    void vcpuExit() {
        assertThat(parse("kvm_exit", "vcpu 0 reason npf rip 0xfff0 info1 0x0000000200000006 info2 0x00000000fee00000 intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000000"))
                .isEqualTo(new VcpuExit(0, "npf", 0xfff0L, 0x200000006L, 0xfee00000L, 0L, 0L, 0L, false));
        assertThat(((VcpuExit) parse("kvm_exit", "vcpu 2 reason EPT_VIOLATION [failed] rip 0x1 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0")).getReason())
                .isEqualTo("EPT_VIOLATION [failed]");
    }

    @Test
    void rmpFaultAndVmgexit() {
        assertThat(parse("kvm_rmp_fault", "vcpu 0 gpa 0000000000100000 pfn 0x12345 error_code 0x80000004 rmp_level 1 psmash_ret -22"))
                .isEqualTo(new RmpFault(0, 0x100000L, 0x12345L, 0x80000004L, 1, -22));
        assertThat(parse("kvm_vmgexit_enter", "vcpu 1, exit_reason 80000010, exit_info1 0, exit_info2 0"))
                .isEqualTo(new VmgExit(1, 0x80000010L, 0L, 0L));
        assertThat(parse("kvm_vmgexit_exit", "vcpu 1, exit_reason 80000010, exit_info1 0, exit_info2 0"))
                .isEqualTo(Decoded.NOT_FORWARDED);
    }

    @Test
    void mmuEvents() {
        assertThat(parse("kvm_unmap_hva_range", "mmu notifier unmap range: 0x007f0bd819f000 -- 0x007f0bd81a0000"))
                .isEqualTo(new HvaRangeUnmapped(0x7f0bd819f000L, 0x7f0bd81a0000L));
        assertThat(parse("kvm_mmu_set_spte", "gfn 100 spte 600000010000ef7 (rwxu) level 2 at 10a2f008"))
                .isEqualTo(new SpteChanged(0x100L, 2, 0x600000010000ef7L, null, null));
        assertThat(parse("kvm_tdp_mmu_spte_changed", "as id 0 gfn 200 level 3 old_spte 5a0 new_spte 8000000010000ef7"))
                .isEqualTo(new SpteChanged(0x200L, 3, 0x8000000010000ef7L, 0x5a0L, 0));
        assertThat(parse("kvm_mmu_split_huge_page", "gfn 200 spte 10000ef7 level 2 errno 0"))
                .isEqualTo(new HugePageSplit(0x200L, 0x10000ef7L, 2, 0));
        assertThat(parse("kvm_mmu_spte_requested", "gfn 100 pfn 1234 level 1")).isEqualTo(Decoded.NOT_FORWARDED);
        assertThat(parse("kvm_emulate_insn", "10000:3:74 01 (real)")).isEqualTo(Decoded.NOT_FORWARDED);
        assertThat(parse("kvm_emulate_insn", "0:1005:ee (prot64) failed")).isEqualTo(Decoded.NOT_FORWARDED);
    }

    @Test
    void filemap() {
        assertThat(parse("mm_filemap_add_to_page_cache", "dev 0:16 ino 5def pfn=0x105654 ofs=0 order=0"))
                .isEqualTo(new GmemPageAdded(0x5defL, 0L, 0x105654L, 0));
        assertThat(parse("mm_filemap_delete_from_page_cache", "dev 0:16 ino 5def pfn=0x10978c ofs=262144 order=9"))
                .isEqualTo(new GmemPageRemoved(0x5defL, 262144L, 0x10978cL, 9));
        assertThat(parse("mm_filemap_fault", "dev=254:0 ino=20cea0 ofs=24576")).isEqualTo(new GmemHostFault(0x20cea0L, 24576L));
    }

    @Test
    void processExit() {
        assertThat(parse("sched_process_exit", "comm=qemu system pid=4200 prio=120 group_dead=true"))
                .isEqualTo(new Decoded.ProcessExit(4200, true));
        assertThat(parse("sched_process_exit", "comm=vcpu0 pid=4201 prio=120 group_dead=false"))
                .isEqualTo(new Decoded.ProcessExit(4201, false));
        assertThat(parse("sched_process_exit", "comm=old pid=7 prio=120")).isEqualTo(new Decoded.ProcessExit(7, true));
    }

    @Test
    void syscalls() {
        Decoded.SyscallEnter e = PayloadParsers.syscallEnter("sys_fallocate", "fd: 6, mode: 3, offset: 0x10000, len: 0x10000");
        assertThat(e.arg("fd")).isEqualTo(6);
        assertThat(e.arg("mode")).isEqualTo(3);
        assertThat(e.arg("offset")).isEqualTo(0x10000);
        assertThat(PayloadParsers.syscallEnter("sys_fallocate", "fd: 6, mode: 3, offset: 0, len: 0x200000").arg("offset")).isZero();
        assertThat(PayloadParsers.syscallExit("sys_ioctl", "0x5").ret()).isEqualTo(5);
        assertThat(PayloadParsers.syscallExit("sys_ioctl", "0xfffffffffffffff2").ret()).isEqualTo(-14);
        assertThatThrownBy(() -> PayloadParsers.syscallEnter("sys_ioctl", "fd 5")).isInstanceOf(PayloadException.class);
    }

    @Test
    void helperLines() {
        Decoded.HelperCall c = (Decoded.HelperCall) parse("faultline_set_memslot",
                "vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x200000 uaddr 0x7f32a7447000 gmem_fd 6 gmem_offset 0x0 ret 0");
        assertThat(c.num("gpa")).isEqualTo(0x100000);
        assertThat(c.num("uaddr")).isEqualTo(0x7f32a7447000L);
        assertThat(c.num("ret")).isZero();
        Decoded.HelperCall p = (Decoded.HelperCall) parse("faultline_populate", "vmfd 5 kind snp_launch_update gpa 0x100000 size 0x1000 ret -17");
        assertThat(p.text("kind")).isEqualTo("snp_launch_update");
        assertThat(p.num("ret")).isEqualTo(-17);
        assertThatThrownBy(() -> parse("faultline_create_vm", "fd 3 type 4")).isInstanceOf(PayloadException.class)
                .hasMessageContaining("ret");
        assertThatThrownBy(() -> parse("faultline_create_vm", "fd 3 type")).isInstanceOf(PayloadException.class);
    }

    @Test
    void badPayloadsSayWhere() {
        assertThatThrownBy(() -> parse("kvm_mmio", "mmio sideways len 4 gpa 0x0 val 0x0")).hasMessageContaining("sideways");
        assertThatThrownBy(() -> parse("kvm_mmio", "mmio write len 4 gpa zz val 0x0")).hasMessageContaining("number");
        assertThatThrownBy(() -> parse("kvm_page_fault", "vcpu 0 rip 0x0 address 0x1ffffffffffffffff error_code 0x0"))
                .hasMessageContaining("64 bits");
        assertThat(parsers.parse("kvm_fpu", "load")).isNull();
    }

    /** Hex as the kernel prints it: any case, with or without 0x, leading zeros beyond 16 digits allowed. */
    @ParameterizedTest
    @CsvSource({
        "0x0, 0", "0X1f, 31", "00000000000000000000ffffffffffffffff, -1", "0xDEADbeef, 3735928559",
        "fee00000, 4276092928", "0x8000000000000000, -9223372036854775808"})
    void hexNumbers(String text, long expected) {
        PageFault f = (PageFault) parse("kvm_page_fault", "vcpu 0 rip 0x0 address " + text + " error_code 0x0");
        assertThat(f.getGpa()).isEqualTo(expected);
    }

    /** Decimal up to 2^64-1 (kept in a long's bits), one more is refused. */
    @ParameterizedTest
    @CsvSource({"18446744073709551615, -1", "18446744073709551610, -6", "9223372036854775808, -9223372036854775808"})
    void decimalNumbersUpTo64Bits(String text, long expected) {
        GmemHostFault f = (GmemHostFault) parse("mm_filemap_fault", "dev=0:16 ino=1 ofs=" + text);
        assertThat(f.getOffset()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"18446744073709551616", "18446744073709551620", "99999999999999999999"})
    void decimalPast64BitsIsRefused(String text) {
        assertThatThrownBy(() -> parse("mm_filemap_fault", "dev=0:16 ino=1 ofs=" + text)).hasMessageContaining("64 bits");
    }
}
