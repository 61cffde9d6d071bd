package dev.faultline.collector.parse;

import dev.faultline.collector.text.Ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.Replay;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
        // digits past the ninth are below a nanosecond: dropped, even more than a long could hold
        assertThat(event("a-1 [000] 12.1234567891: kvm_fpu: load").tsNs()).isEqualTo(12_123_456_789L);
        assertThat(event("a-1 [000] 12.12345678999999999999: kvm_fpu: load").tsNs()).isEqualTo(12_123_456_789L);
        assertThat(dev.faultline.collector.text.TraceTimes.timestampNs(Ascii.bytes("a-1 [000] 12.5: x"), 0, 17)).isEqualTo(12_500_000_000L);
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
        assertThat(parser.parse("cpus=2")).isInstanceOf(ParsedLine.Header.class); // trace-cmd report
        assertThat(parser.parse("cpus=")).isInstanceOf(ParsedLine.Malformed.class);
        assertThat(parser.parse("CPU 0 is empty")).isInstanceOf(ParsedLine.Header.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "12779 KVM_CREATE_GUEST_MEMFD vmfd=5 size=0x200000 flags=0x3",
        "a-b [000] 1.5: kvm_fpu: load", "a-1 [x] 1.5: kvm_fpu: load", "a-1 [000] 1.5 kvm_fpu: load",
        "a-1 [000] 1.5: ", "a-1 (12 [000] 1.5: kvm_fpu: load", "a-1 (1x) [000] 1.5: kvm_fpu: load",
        "a-1 [000] 1.5: sys_ioctl(fd: 5", "a-1 [000] 1.5: kvm_fpu load", "a-1 [000] 1.5: kvm.fpu: load",
        "wall 8.347620247s; events"})
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

    /**
     * The one-pass reader of the usual layout and the column-by-column reader agree on every line the
     * first accepts: the real captures, simulated lines of every VM type, and those lines with random
     * edits in the characters the grammar cares about. The first must also take nearly all unedited lines,
     * or it would only be dead code passing this test.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 11, 2026, 65537})
    void theUsualLayoutReaderAgreesWithTheGeneralOne(long seed) throws IOException {
        List<String> lines = realAndSimulatedLines(seed);
        int usual = 0;
        int events = 0;
        for (String line : lines) {
            ParsedLine general = generalOf(line);
            if (general instanceof TraceLine) {
                events++;
                usual += agree(line) ? 1 : 0;
            }
        }
        assertThat(usual).as("lines the usual-layout reader took, of %d event lines", events).isGreaterThan(events * 95 / 100);

        Random r = new Random(seed);
        String alphabet = " :.-()[]0123456789<>ab";
        int taken = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder line = new StringBuilder(lines.get(r.nextInt(lines.size())));
            for (int edits = 1 + r.nextInt(3); edits > 0 && line.length() > 0; edits--) {
                int at = r.nextInt(Math.min(line.length(), 70)); // the columns are at the start
                switch (r.nextInt(3)) {
                    case 0 -> line.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 1 -> line.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    default -> line.deleteCharAt(at);
                }
            }
            taken += agree(line.toString()) ? 1 : 0;
        }
        assertThat(taken).as("edited lines the usual-layout reader took").isGreaterThan(1000);

        // Lines put together column by column, each column at and past its limits.
        int built = 0;
        for (int n = 0; n < 20_000; n++) {
            built += agree(builtLine(r)) ? 1 : 0;
        }
        assertThat(built).as("built lines the usual-layout reader took").isGreaterThan(1000);
    }

    /**
     * A line that starts with the columns of the line before it is read from the columns kept then, and
     * exactly as the general reader reads it: each line after its predecessor, and lines after themselves
     * edited around the timestamp, where the kept bytes could be taken for more or less than they are.
     */
    @ParameterizedTest
    @ValueSource(longs = {5, 17, 2027})
    void aRepeatedPrefixIsReadAsTheGeneralReaderReadsIt(long seed) throws IOException {
        List<String> lines = realAndSimulatedLines(seed);
        int consecutive = 0;
        for (int k = 1; k < lines.size(); k++) {
            consecutive += readAfter(lines.get(k - 1), lines.get(k)) ? 1 : 0;
        }
        assertThat(consecutive).as("lines read from their predecessor's columns, of %d", lines.size())
                .isGreaterThan(lines.size() / 3);

        Random r = new Random(seed);
        String alphabet = " :.-0123456789ab";
        int edited = 0;
        for (int n = 0; n < 20_000; n++) {
            String before = lines.get(r.nextInt(lines.size()));
            int colon = before.indexOf(':');
            if (colon < 0) {
                continue;
            }
            StringBuilder line = new StringBuilder(before);
            for (int edits = 1 + r.nextInt(2); edits > 0; edits--) {
                int at = Math.max(0, colon - 22 + r.nextInt(25));
                if (at >= line.length()) {
                    line.append(alphabet.charAt(r.nextInt(alphabet.length())));
                    continue;
                }
                switch (r.nextInt(4)) {
                    case 0 -> line.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 1 -> line.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 2 -> line.insert(at, "1234567".substring(r.nextInt(7))); // numbers past their widths
                    default -> line.deleteCharAt(at);
                }
            }
            edited += readAfter(before, line.toString()) ? 1 : 0;
        }
        assertThat(edited).as("edited lines read from the unedited line's columns").isGreaterThan(1000);
    }

    /**
     * The simulator's vCPU threads write in turns (every other line changes thread), as on a busy host: a
     * thread's columns are still known when its next line comes, whatever came in between; and a thread
     * seen on more CPUs or with more flag states than a set holds is read the long way, still correctly.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 11})
    void interleavedThreadsAreReadFromTheirKeptColumns(long seed) {
        List<String> lines = new ArrayList<>();
        new Simulator(new SimulationConfig(seed, 6, List.of(VmKind.values()), 5000, 0, Set.of())).run(lines::add);
        int known = 0;
        int changes = 0;
        for (int k = 1; k < lines.size(); k++) {
            known += readKnown(lines.get(k)) ? 1 : 0;
            changes += lines.get(k).regionMatches(0, lines.get(k - 1), 0, 40) ? 0 : 1;
            parser.parse(lines.get(k));
        }
        assertThat(changes).as("lines whose thread or CPU differs from the line before").isGreaterThan(lines.size() / 4);
        assertThat(known).as("lines read from kept columns, of %d", lines.size()).isGreaterThan(lines.size() * 9 / 10);

        // One thread on as many CPUs as a set holds ways, in turn: each line after the first round is known.
        // On eight CPUs with two flag states each (more than a set holds) the lines are read the long way.
        assertThat(knownInTurn(new LineParser(), 4, 1)).as("lines of 4 variants in turn read from kept columns").isEqualTo(400 - 4);
        assertThat(knownInTurn(new LineParser(), 8, 2)).as("lines of 16 variants in turn read from kept columns").isZero();

        // Columns shorter than the 24-byte key are not kept (their key would hold timestamp digits): lines with
        // them, read correctly the long way, leave a known thread's columns in place.
        LineParser p = new LineParser();
        p.parse(" CPU 0/KVM-4242    (   4240) [001] .....   100.000001: kvm_exit: reason HLT");
        for (int n = 0; n < 200; n++) {
            String shortColumns = String.format("a-1 [0] %d.%06d: kvm_exit: reason HLT", 101 + n, n);
            byte[] b = shortColumns.getBytes(StandardCharsets.UTF_8);
            assertThat(describe(p.parse(shortColumns))).as(shortColumns)
                    .isEqualTo(describe(new LineParser().anyColumns(b, 0, 0, b.length)));
        }
        assertThat(knownAfter(p, " CPU 0/KVM-4242    (   4240) [001] .....   300.000001: kvm_pio: pio_write at 0x70"))
                .as("a thread's columns after 200 lines with short ones").isTrue();
    }

    private static boolean knownAfter(LineParser p, String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return p.prefixes.read(b, 0, b.length, p) != null;
    }

    /** 400 lines of one thread on {@code cpus} CPUs with {@code flagStates} flag columns, in turn; how many were known. */
    private static int knownInTurn(LineParser p, int cpus, int flagStates) {
        String[] flags = {".....", "d..1."};
        int known = 0;
        for (int n = 0; n < 400; n++) {
            String line = String.format(" CPU 0/KVM-4242    (   4240) [%03d] %s   %d.%06d: kvm_exit: reason HLT",
                    n % cpus, flags[n / cpus % flagStates], 100 + n, n);
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            ParsedLine kept = p.prefixes.read(b, 0, b.length, p);
            String general = describe(new LineParser().anyColumns(b, 0, Ascii.skipSpaces(b, 0, b.length), b.length));
            if (kept != null) {
                assertThat(describe(kept)).as(line).isEqualTo(general);
                known++;
            }
            assertThat(describe(p.parse(line))).as(line).isEqualTo(general);
        }
        return known;
    }

    private boolean readKnown(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        ParsedLine kept = parser.prefixes.read(b, 0, b.length, parser);
        if (kept == null) {
            return false;
        }
        int i = Ascii.skipSpaces(b, 0, b.length);
        assertThat(describe(kept)).as(line).isEqualTo(describe(new LineParser().anyColumns(b, 0, i, b.length)));
        return true;
    }

    /** True when {@code line}, read after {@code before}, came from the kept columns; fails when it was read otherwise than the general reader reads it. */
    private boolean readAfter(String before, String line) {
        parser.parse(before);
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        ParsedLine kept = parser.prefixes.read(b, 0, b.length, parser);
        if (kept == null) {
            return false;
        }
        int i = Ascii.skipSpaces(b, 0, b.length);
        assertThat(describe(kept)).as(before + "\nthen\n" + line)
                .isEqualTo(describe(new LineParser().anyColumns(b, 0, i, b.length)));
        return true;
    }

    private static List<String> realAndSimulatedLines(long seed) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String f : List.of("mmio_pio_longmode.trace", "mmio_pio_realmode.trace", "gmem_create_bind_punch.trace",
                "mmio_pio_trace_pipe_record_tgid.txt")) {
            lines.addAll(Files.readAllLines(Replay.shared().resolve("fixtures/real").resolve(f)));
        }
        new Simulator(new SimulationConfig(seed, 6, List.of(VmKind.values()), 2000, 0, Set.of())).run(lines::add);
        return lines;
    }

    private static String builtLine(Random r) {
        String[] comms = {"", "qemu", "<...>", "CPU 0/KVM", "a-b", "x:y", "a b", "(", "[", "-", "9"};
        String[] flags = {"", ".....", "d..1.", "a]b", "]", "("};
        String[] tgids = {"", "-", "-------", "x", "1-2", " "};
        StringBuilder l = new StringBuilder(spaces(r));
        l.append(comms[r.nextInt(comms.length)]);
        if (r.nextInt(10) > 0) {
            l.append('-').append(digits(r, 11));
        }
        l.append(spaces(r));
        if (r.nextBoolean()) {
            l.append('(').append(spaces(r)).append(r.nextInt(3) == 0 ? tgids[r.nextInt(tgids.length)] : digits(r, 11))
                    .append(spaces(r)).append(')').append(spaces(r));
        }
        if (r.nextInt(10) > 0) {
            l.append('[').append(digits(r, 11)).append(']').append(spaces(r));
        }
        l.append(flags[r.nextInt(flags.length)]).append(spaces(r));
        l.append(digits(r, 12)).append(r.nextInt(10) > 0 ? "." : "").append(digits(r, 12)).append(':');
        if (r.nextInt(10) > 0) {
            l.append(' ').append(r.nextBoolean() ? "kvm_exit: reason HLT" : "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)");
        }
        return l.toString();
    }

    private static String spaces(Random r) {
        return " ".repeat(r.nextInt(4) == 0 ? 0 : r.nextInt(3) + 1);
    }

    /** 0 to {@code max} digits, most of them short. */
    private static String digits(Random r, int max) {
        int n = r.nextInt(4) == 0 ? r.nextInt(max + 1) : 1 + r.nextInt(4);
        StringBuilder d = new StringBuilder();
        for (int k = 0; k < n; k++) {
            d.append((char) ('0' + r.nextInt(10)));
        }
        return d.toString();
    }

    /** True when the usual-layout reader took the line; fails when it read it otherwise than the general reader. */
    private boolean agree(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int i = Ascii.skipSpaces(b, 0, b.length);
        if (i == b.length) {
            return false;
        }
        ParsedLine usual = parser.usualColumns(b, 0, i, b.length);
        if (usual == null) {
            return false;
        }
        assertThat(describe(usual)).as(line).isEqualTo(describe(parser.anyColumns(b, 0, i, b.length)));
        return true;
    }

    private ParsedLine generalOf(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int i = Ascii.skipSpaces(b, 0, b.length);
        return i == b.length ? ParsedLine.HEADER : parser.anyColumns(b, 0, i, b.length);
    }

    private static String describe(ParsedLine p) {
        return p instanceof TraceLine t ? t.toString() : String.valueOf(p);
    }
}
