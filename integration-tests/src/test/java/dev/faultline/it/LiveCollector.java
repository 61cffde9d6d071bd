package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.resolve.FdInspector;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.LiveSource;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.collector.source.tracefs.TracefsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The live collector (tracefs raw or text reader + BPF helper) running into a publisher, for tests on real
 * KVM; and the C workload that drives /dev/kvm, compiled for them.
 */
final class LiveCollector {
    final CollectorStats stats = new CollectorStats();
    private final LiveSource source;
    private final Thread thread;

    private LiveCollector(String host, KafkaPublisher publisher, int bufferKb, TracefsReader reader) {
        TracePipeline pipeline = new TracePipeline(new HostContext(host, reader.eventSource(), Clock.systemUTC(), 47, 1,
                FdInspector.proc(Path.of("/proc"))), publisher, stats);
        // the collector's default kernel filter: page-cache events of guest_memfd's filesystem only
        source = new LiveSource(reader.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, bufferKb,
                EventFilters.of(TracefsSession.STANDARD_EVENTS, null, EventFilters.anonInodeDev())),
                new BpfHelper(BpfHelper.findBpftrace()), 100);
        source.reportLossTo(pipeline::loss);
        publisher.reportLossTo(pipeline::loss);
        thread = new Thread(() -> {
            try {
                source.runBytes(pipeline);
                pipeline.finish();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-collector");
    }

    /** Checks root, tracefs, /dev/kvm, gcc and bpftrace (loud skip; a failure under CI). */
    static void requireHost() {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        KernelFeatures.requireTool(BpfHelper.findBpftrace() != null, "bpftrace (apt-get install bpftrace)");
    }

    /** Compiles src/test/c/kvm_workload.c (with the bench's kvm_guest.h) into {@code dir}. */
    static Path workload(Path dir) throws Exception {
        return compile(dir, "kvm_workload");
    }

    /** Compiles src/test/c/NAME.c (with the bench's kvm_guest.h on the include path) into {@code dir}/NAME. */
    static Path compile(Path dir, String name) throws Exception {
        Path out = dir.resolve(name);
        Process cc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-I",
                Path.of("../bench/src/main/resources/faultline/bench").toAbsolutePath().toString(), "-o", out.toString(),
                Path.of("src/test/c/" + name + ".c").toAbsolutePath().toString()).redirectErrorStream(true).start();
        String msg = new String(cc.getInputStream().readAllBytes());
        assertThat(cc.waitFor()).as(msg).isZero();
        return out;
    }

    /** Starts capturing; returns once tracing and the helper are on. */
    static LiveCollector start(String host, KafkaPublisher publisher, int bufferKb) throws InterruptedException {
        return start(host, publisher, bufferKb, TracefsReader.TEXT);
    }

    static LiveCollector start(String host, KafkaPublisher publisher, int bufferKb, TracefsReader reader)
            throws InterruptedException {
        LiveCollector c = new LiveCollector(host, publisher, bufferKb, reader);
        c.thread.start();
        assertThat(c.source.awaitStarted(10_000)).as("tracing started").isTrue();
        return c;
    }

    /** Reads what is left, stops, and removes the tracefs instance. */
    void stop() throws Exception {
        Thread.sleep(500);
        source.stop();
        thread.join(60_000);
        if (thread.isAlive()) { // say where it hangs: the stacks of the collector's threads (Kafka's would bury them)
            StringBuilder dump = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                if (!t.getName().startsWith("faultline") && !t.getName().startsWith("live-collector")
                        && !t.getName().startsWith("kafka-producer")) {
                    return;
                }
                dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    dump.append("    at ").append(e).append('\n');
                }
            });
            assertThat(thread.isAlive()).as("the collector did not stop in 60 s; threads:%n%s", dump).isFalse();
        }
    }
}
