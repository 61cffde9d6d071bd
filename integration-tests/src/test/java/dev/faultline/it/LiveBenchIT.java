package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.cli.Faultline;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code faultline bench live} works end to end on real KVM and tracefs (its C guest and C reader
 * compiled from the jar, both readers run): a short run, checked for what it must show, not for speed
 * (the figures are in docs/benchmarks.md): the collector saw every guest exit, two events each, and lost nothing.
 */
class LiveBenchIT {
    private static final Pattern COLLECTOR = Pattern.compile(
            "collector \\(raw reader\\): +([0-9,]+) exits/s, lost (\\d+); ([0-9,]+) lines, ([0-9,]+) events");

    @Test
    void bothReadersRunAndTheCollectorSeesEveryExit() {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(buf, true));
        try {
            code = Faultline.run("bench", "live", "--seconds", "1", "--rounds", "1");
        } finally {
            System.setOut(stdout);
        }
        String out = buf.toString();
        System.out.print(out);

        assertThat(code).isZero();
        assertThat(out).containsPattern("C trace_pipe_raw reader: +[0-9,]+ exits/s, lost \\d+; cpu \\d+ pages \\d+")
                .containsPattern("ratio \\d+\\.\\d\\d");
        Matcher m = COLLECTOR.matcher(out.substring(out.indexOf("C trace_pipe_raw reader")));
        assertThat(m.find()).as(out).isTrue();
        long exitsPerSecond = Long.parseLong(m.group(1).replace(",", ""));
        assertThat(Long.parseLong(m.group(2))).as("events lost by the collector").isZero();
        // a PIO or MMIO event and a userspace exit per guest exit, over the one-second run
        assertThat(Long.parseLong(m.group(4).replace(",", ""))).isGreaterThanOrEqualTo((long) (1.8 * exitsPerSecond));
    }
}
