package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.resolve.FdInspector;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.collector.stats.CollectorStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live raw reader's records, read from their fields, against the kernel's own text of the same run and against
 * a trace.dat of it that trace-cmd extracted, each through the collector's pipeline: all must count the same outcome
 * for every line. Runs on any host with root, tracefs, gcc and trace-cmd (no /dev/kvm: the KVM events are
 * RawReaderMatchesTextIT's, TraceDatIT's and LiveKvmGroundTruthIT's): a C workload makes ioctls with KVM's command
 * numbers on /dev/null (refused), ioctls with another number, and fallocates on a plain file.
 */
class RawRecordsResolveAsTextIT {
    private static final int ROUNDS = 40;
    /** The workload's threads only: its name is its file's, cut to the kernel's 15 bytes of comm. */
    private static final Map<String, String> FILTERS = EventFilters.of(TracefsSession.STANDARD_EVENTS, "syscall_workloa*", null);

    @Test
    void rawRecordsAndTheKernelsTextResolveAlike(@TempDir Path tmp) throws Exception {
        KernelFeatures.requireRootAndTracefs();
        // the workload is seen only through the syscall tracepoints (CONFIG_FTRACE_SYSCALLS): a kernel without them
        // is a host that cannot show it, reported as such, not a failure
        KernelFeatures.requireHost(Files.exists(KernelFeatures.TRACEFS.resolve("events/syscalls/sys_enter_ioctl/format")),
                "syscall tracepoints (events/syscalls/sys_enter_ioctl)");
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/trace-cmd")), "trace-cmd (apt-get install trace-cmd)");
        Path workload = LiveCollector.compile(tmp, "syscall_workload");
        CollectorStats raw = new CollectorStats();
        CollectorStats text = new CollectorStats();
        Path dat = tmp.resolve("run.dat");
        try (TracefsSession recorded = TracefsSession.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 1024,
                FILTERS)) {
            Capture r = Capture.start(TracefsReader.RAW, raw);
            Capture t = Capture.start(TracefsReader.TEXT, text);
            Process p = new ProcessBuilder(workload.toString(), tmp.resolve("file").toString(), Integer.toString(ROUNDS))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            Thread.sleep(500);
            r.stop();
            t.stop();
            Process x = new ProcessBuilder("trace-cmd", "extract", "-B", recorded.instance().getFileName().toString(), "-o",
                    dat.toString()).directory(tmp.toFile()).redirectErrorStream(true).start();
            String msg = new String(x.getInputStream().readAllBytes());
            assertThat(x.waitFor()).as(msg).isZero();
        }
        CollectorStats replayed = new CollectorStats();
        TracePipeline fromFile = new TracePipeline(HostContext.replay("it"), e -> { }, replayed);
        new ReplaySource(dat.toString()).runBytes(fromFile);
        fromFile.finish();

        System.out.println("raw records:\n" + raw.summary() + "kernel text:\n" + text.summary() + "trace.dat:\n"
                + replayed.summary());
        assertThat(text.skipped()).as("the text reader saw the workload")
                .containsEntry("ioctl-failed", 4L * ROUNDS).containsEntry("fallocate-not-gmem", 2L * ROUNDS);
        assertThat(text.unsupported()).containsEntry("sys_ioctl cmd 0x1234", (long) ROUNDS);
        assertThat(raw.lostEvents()).as("nothing lost").isEmpty();
        assertThat(text.lostEvents()).as("nothing lost").isEmpty();
        assertThat(raw.lines()).isEqualTo(text.lines());
        assertThat(raw.events()).isEqualTo(text.events());
        assertThat(raw.skipped()).isEqualTo(text.skipped());
        assertThat(raw.other()).isEqualTo(text.other());
        assertThat(raw.unsupported()).isEqualTo(text.unsupported());
        // trace-cmd's file: the same records, without thread groups (threads are joined to processes by name)
        assertThat(replayed.lines()).isEqualTo(text.lines());
        assertThat(replayed.skipped()).isEqualTo(text.skipped());
        assertThat(replayed.other()).isEqualTo(text.other());
        assertThat(replayed.unsupported()).isEqualTo(text.unsupported());
    }

    /** One reader in a tracefs instance of its own, filtered to the workload's name, into a pipeline. */
    private record Capture(KernelTraceSource source, Thread thread, AtomicReference<Exception> failure) {
        static Capture start(TracefsReader reader, CollectorStats stats) throws InterruptedException {
            TracePipeline pipeline = new TracePipeline(new HostContext("it", reader.eventSource(), Clock.systemUTC(), 47, 1,
                    FdInspector.NONE), e -> { }, stats);
            KernelTraceSource source = reader.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 1024, FILTERS);
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    source.runBytes(pipeline);
                    pipeline.finish();
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "capture-" + reader);
            thread.start();
            assertThat(source.awaitStarted(10_000)).as(reader + " started").isTrue();
            return new Capture(source, thread, failure);
        }

        void stop() throws Exception {
            source.stop();
            thread.join(30_000);
            assertThat(thread.isAlive()).as("reader ended").isFalse();
            if (failure.get() != null) {
                throw failure.get();
            }
        }
    }
}
