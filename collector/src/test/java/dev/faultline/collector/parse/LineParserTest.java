package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineParserTest {
    private final LineParser parser = new LineParser();

    private TraceLine event(String text) {
        ParsedLine p = parser.parse(text);
        assertThat(p).as(text).isInstanceOf(TraceLine.class);
        return (TraceLine) p;
    }

    @Test
    void withTgidColumn() {
        TraceLine l = event("        mmio_pio-13403   (  13403) [000] d..1.   642.700018: kvm_mmio: mmio write len 4 gpa 0xd0000000 val 0x41");
        assertThat(l.comm()).isEqualTo("mmio_pio");
        assertThat(l.tid()).isEqualTo(13403);
        assertThat(l.tgid()).isEqualTo(13403);
        assertThat(l.cpu()).isZero();
        assertThat(l.tsNs()).isEqualTo(642_700_018_000L);
        assertThat(l.event()).isEqualTo("kvm_mmio");
        assertThat(l.kind()).isEqualTo(TraceLine.Kind.EVENT);
        assertThat(l.payload()).isEqualTo("mmio write len 4 gpa 0xd0000000 val 0x41");
    }

    @Test
    void withoutTgidColumn() {
        TraceLine l = event("            gmem-10239   [001] .....   459.767842: mm_filemap_fault: dev=254:0 ino=20cea0 ofs=24576");
        assertThat(l.comm()).isEqualTo("gmem");
        assertThat(l.tid()).isEqualTo(10239);
        assertThat(l.hasTgid()).isFalse();
        assertThat(l.cpu()).isEqualTo(1);
        assertThat(l.payload()).isEqualTo("dev=254:0 ino=20cea0 ofs=24576");
    }

    @Test
    void placeholdersForUncachedTasks() {
        TraceLine l = event("           <...>-10368   (-------) [001] .....   100.000001: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41 ");
        assertThat(l.comm()).isNull();
        assertThat(l.tid()).isEqualTo(10368);
        assertThat(l.hasTgid()).isFalse();
    }

    @Test
    void commWithSpacesAndDashes() {
        TraceLine l = event(" qemu-system-x86 vcpu-1-4242   (  4200) [003] .....  7.5: kvm_exit: x");
        assertThat(l.comm()).isEqualTo("qemu-system-x86 vcpu-1");
        assertThat(l.tid()).isEqualTo(4242);
        assertThat(l.tgid()).isEqualTo(4200);
        assertThat(l.cpu()).isEqualTo(3);
        assertThat(l.tsNs()).isEqualTo(7_500_000_000L);
    }

    /** QEMU names vCPU threads "CPU 0/KVM": not a trace-cmd banner, not a loss line. */
    @Test
    void qemuVcpuThreadNamesStartWithCpu() {
        TraceLine l = event("       CPU 0/KVM-4243    (   4242) [001] .....   100.000001: kvm_mmio: mmio write len 4 gpa 0x200000 val 0x1");
        assertThat(l.comm()).isEqualTo("CPU 0/KVM");
        assertThat(l.tid()).isEqualTo(4243);
        assertThat(l.tgid()).isEqualTo(4242);
        TraceLine lost = event("CPU 1/KVM-77 [001] 5.000001: kvm_mmio: mmio write len 4 gpa 0x0 val 0x0 [LOST 3 EVENTS]");
        assertThat(lost.comm()).isEqualTo("CPU 1/KVM");
    }

    @Test
    void commWithColon() {
        TraceLine l = event("     kworker/0:1-12      [000] .....    1.000002: kvm_unmap_hva_range: mmu notifier unmap range: 0x1 -- 0x2");
        assertThat(l.comm()).isEqualTo("kworker/0:1");
        assertThat(l.tid()).isEqualTo(12);
    }

    @Test
    void traceCmdReportPrefixWithoutFlags() {
        TraceLine l = event("            gmem-10239 [001]   459.767842: kvm_userspace_exit: reason KVM_EXIT_HLT (5)");
        assertThat(l.tid()).isEqualTo(10239);
        assertThat(l.event()).isEqualTo("kvm_userspace_exit");
        assertThat(l.payload()).isEqualTo("reason KVM_EXIT_HLT (5)");
    }

    @Test
    void nanosecondTimestamps() {
        assertThat(event("a-1 [000] 12.123456789: kvm_fpu: load").tsNs()).isEqualTo(12_123_456_789L);
    }

    @Test
    void syscallEnterAndExit() {
        TraceLine enter = event("            gmem-10239   [001] .....   459.769138: sys_ioctl(fd: 5, cmd: 0x40a0ae49, arg: 0x7ffcf2142100)");
        assertThat(enter.kind()).isEqualTo(TraceLine.Kind.SYSCALL_ENTER);
        assertThat(enter.event()).isEqualTo("sys_ioctl");
        assertThat(enter.payload()).isEqualTo("fd: 5, cmd: 0x40a0ae49, arg: 0x7ffcf2142100");
        TraceLine exit = event("            gmem-10239   [001] .....   459.769247: sys_ioctl -> 0x0");
        assertThat(exit.kind()).isEqualTo(TraceLine.Kind.SYSCALL_EXIT);
        assertThat(exit.payload()).isEqualTo("0x0");
    }

    @Test
    void lostEvents() {
        assertThat(parser.parse("CPU:1 [LOST 111 EVENTS]")).isEqualTo(new ParsedLine.Loss(1, 111));
        assertThat(parser.parse("CPU:12 [LOST 4294967296 EVENTS]")).isEqualTo(new ParsedLine.Loss(12, 4294967296L));
    }

    @Test
    void annotationsAndHeaders() {
        assertThat(parser.parse("#> gmem: fd 6 -> anon_inode:[kvm-gmem]")).isEqualTo(
                new ParsedLine.Annotation("gmem: fd 6 -> anon_inode:[kvm-gmem]"));
        assertThat(parser.parse("# tracer: nop")).isInstanceOf(ParsedLine.Header.class);
        assertThat(parser.parse("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION")).isInstanceOf(ParsedLine.Header.class);
        assertThat(parser.parse("")).isInstanceOf(ParsedLine.Header.class);
        assertThat(parser.parse("cpus=2")).isInstanceOf(ParsedLine.Malformed.class);
        assertThat(parser.parse("CPU 0 is empty")).isInstanceOf(ParsedLine.Header.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "12779 KVM_CREATE_GUEST_MEMFD vmfd=5 size=0x200000 flags=0x3",
        "a-b [000] 1.5: kvm_fpu: load", "a-1 [x] 1.5: kvm_fpu: load", "a-1 [000] 1.5 kvm_fpu: load",
        "a-1 [000] 1.5: ", "a-1 (12 [000] 1.5: kvm_fpu: load", "a-1 (1x) [000] 1.5: kvm_fpu: load",
        "a-1 [000] 1.5: sys_ioctl(fd: 5", "a-1 [000] 1.5: kvm_fpu load", "wall 8.347620247s; events"})
    void malformedLinesSayWhy(String text) {
        ParsedLine p = parser.parse(text);
        assertThat(p).isInstanceOf(ParsedLine.Malformed.class);
        assertThat(((ParsedLine.Malformed) p).reason()).isNotBlank();
    }

    /** Thread names are the kernel's bytes, printed as they are: UTF-8 comes back as the same text. */
    @Test
    void nonAsciiThreadNameAndTheBytesForm() {
        String text = "   qemu-\u00e9t\u00e9-77   (  70) [003] .....   10.5: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41";
        TraceLine l = event(text);
        assertThat(l.comm()).isEqualTo("qemu-\u00e9t\u00e9");
        assertThat(l.tid()).isEqualTo(77);
        assertThat(l.tgid()).isEqualTo(70);
        assertThat(l.text()).isEqualTo(text);
        // the same line in the middle of a larger array, as the replay reader hands it over
        byte[] line = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] big = new byte[line.length + 20];
        java.util.Arrays.fill(big, (byte) 'x');
        System.arraycopy(line, 0, big, 10, line.length);
        TraceLine inPlace = (TraceLine) parser.parse(big, 10, 10 + line.length);
        assertThat(inPlace.comm()).isEqualTo(l.comm());
        assertThat(inPlace.tsNs()).isEqualTo(10_500_000_000L);
        assertThat(inPlace.payload()).isEqualTo("pio_write at 0x3f8 size 1 count 1 val 0x41");
        assertThat(inPlace.text()).isEqualTo(text);
    }
}
