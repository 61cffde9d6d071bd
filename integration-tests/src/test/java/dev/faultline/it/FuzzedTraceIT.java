package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md §8, hostile text: 1 000 000 lines of a simulated trace, most of them damaged by a seeded fuzzer
 * (byte flips, truncation at every position of a line, NULs, invalid UTF-8, numbers past 2^64, timestamps
 * going back, 100 000 distinct thread ids and event names, helper lines with a field missing or misspelt)
 * and four lines of 1.5 MB, through the archive's {@code collect} and {@code check} in small heaps. Both
 * read every line (the count they print is the file's), exit as on any trace (collect 0; check 0 or 1,
 * never 2 or 3), and count what they skipped by reason.
 */
class FuzzedTraceIT {
    private static final int LINES = 1_000_000;
    private static final Pattern NUMBER = Pattern.compile("0x[0-9a-f]+|\\b[0-9]{2,}\\b");

    @TempDir
    static Path dir;
    static Path home;
    static Path trace;
    static long lines;

    @BeforeAll
    static void fuzz() throws Exception {
        home = Distribution.unpack(Files.createDirectory(dir.resolve("install")));
        List<String> base = new ArrayList<>();
        new Simulator(new SimulationConfig(3, 6, List.of(VmKind.values()), 60_000, 0, Set.of())).run(base::add);
        trace = dir.resolve("fuzzed.trace");
        Random r = new Random(2026);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(trace), 1 << 20)) {
            for (int i = 0; i < LINES; i++) {
                if (i % 333_331 == 1) {
                    out.write("x".repeat(3 << 19).getBytes(StandardCharsets.US_ASCII)); // 1.5 MB, over the reader's 1 MiB
                } else {
                    String line = base.get(i % base.size());
                    out.write(r.nextInt(4) == 0 ? line.getBytes(StandardCharsets.UTF_8) : damage(line, i, r));
                }
                out.write('\n');
                lines++;
            }
        }
    }

    /** One of the fuzzer's damages to {@code line} (the i-th of the file). */
    static byte[] damage(String line, int i, Random r) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        switch (r.nextInt(9)) {
            case 0 -> { // byte flips
                for (int k = 0; k < 1 + r.nextInt(3); k++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 1 -> { // truncation, at every position in turn
                return java.util.Arrays.copyOf(b, i % (b.length + 1));
            }
            case 2 -> { // a NUL
                b[r.nextInt(b.length)] = 0;
                return b;
            }
            case 3 -> { // invalid UTF-8
                int at = r.nextInt(b.length);
                b[at] = (byte) 0xff;
                if (at + 1 < b.length) {
                    b[at + 1] = (byte) 0xc0;
                }
                return b;
            }
            case 4 -> { // a number past 2^64
                Matcher m = NUMBER.matcher(line);
                return (m.find() ? line.substring(0, m.start()) + "0x1" + "f".repeat(17) + line.substring(m.end())
                        : line).getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> { // time going back
                return line.replaceFirst(" [0-9]+\\.[0-9]+: ", " 0.000001: ").getBytes(StandardCharsets.UTF_8);
            }
            case 6 -> { // 100 000 distinct thread ids
                return line.replaceFirst("-([0-9]+) ", "-" + (200_000 + i % 100_000) + " ").getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> { // 100 000 distinct event names
                return line.replaceFirst(": ([a-z_]+): ", ": fuzz_event_" + (i % 100_000) + ": ").getBytes(StandardCharsets.UTF_8);
            }
            default -> { // a helper line with a field missing or misspelt
                String s = line.contains("faultline_") ? line.replaceFirst(" (size|gpa|slot|fd|ret|vmfd) ", r.nextBoolean() ? " " : " szie ")
                        : line.replaceFirst("\\(fd: [0-9]+, ", "(");
                return s.getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    record Run(int exit, String err) {
    }

    static Run faultline(String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/faultline").toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().put("FAULTLINE_JAVA_OPTS", "-Xmx" + heap);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("faultline " + args[0] + " did not finish in 5 minutes: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(err));
    }

    @Test
    void collectReadsEveryLineInASmallHeapAndCountsWhatItSkipped() throws Exception {
        Run collect = faultline("192m", "collect", "--source", "replay:" + trace, "--output", "jsonl", "--host", "fuzz");
        System.out.println("FuzzedTraceIT collect:\n" + collect.err());
        assertThat(collect.exit()).as(collect.err()).isZero();
        assertThat(collect.err()).contains("lines read: " + lines)
                .contains("line-too-long").contains("malformed: ").contains("bad-payload: ")
                .containsPattern("unsupported events: [0-9]+ \\([0-9]+ names, the 20 most frequent shown\\)");
        assertThat(collect.err().lines().count()).as("a summary, not a line per name").isLessThan(200);
        // no crash, no stack trace (a counted line's sample may name an exception; a thrown one is not counted)
        assertThat(collect.err()).doesNotContain("\u0000").doesNotContain("Exception in thread").doesNotContain("\tat ");
    }

    @Test
    void checkReadsEveryLineInASmallHeapAndSaysWhatItSkipped() throws Exception {
        Run check = faultline("384m", "check", trace.toString());
        System.out.println("FuzzedTraceIT check:\n" + check.err());
        assertThat(check.exit()).as(check.err()).isIn(0, 1);
        assertThat(check.err()).containsPattern("[0-9]+ of " + lines + " lines skipped").contains("line-too-long")
                .doesNotContain("Exception in thread").doesNotContain("\tat ");
    }
}
