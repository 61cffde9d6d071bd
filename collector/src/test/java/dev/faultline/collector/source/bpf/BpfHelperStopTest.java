package dev.faultline.collector.source.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.source.SourceThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the helper always ends {@link BpfHelper#run}: a bpftrace that ignores SIGINT is terminated
 * after the grace period, and a stop that comes before bpftrace started still stops it. A shell script
 * stands in for bpftrace (this is a test of the process handling, not of the probes).
 */
class BpfHelperStopTest {

    private static Path fakeBpftrace(Path dir, String body) throws Exception {
        Path f = dir.resolve("bpftrace");
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    @Test
    void aHelperThatIgnoresSigintIsTerminatedAfterTheGracePeriod(@TempDir Path dir) throws Exception {
        BpfHelper helper = new BpfHelper(fakeBpftrace(dir,
                "trap '' INT\necho 'Attaching 1 probe...'\necho faultline_line\nwhile true; do sleep 0.1; done"), 300);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = SourceThread.start(helper, lines::add);
        assertThat(helper.awaitAttached(10_000)).isTrue();

        long start = System.nanoTime();
        helper.stop();
        t.join(20_000);

        assertThat(t.isAlive()).as("run returned after SIGINT was ignored").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not before the grace period").isGreaterThanOrEqualTo(300);
        assertThat(lines).containsExactly("faultline_line");
    }

    @Test
    void aStopBeforeBpftraceStartedStillStopsIt(@TempDir Path dir) throws Exception {
        BpfHelper helper = new BpfHelper(fakeBpftrace(dir, "echo 'Attaching 1 probe...'\nwhile true; do sleep 0.1; done"), 10_000);
        helper.stop();
        Thread t = SourceThread.start(helper, line -> { });
        t.join(20_000);
        assertThat(t.isAlive()).as("run returned although stop came first").isFalse();
    }
}
