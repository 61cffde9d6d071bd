package dev.faultline.collector;

import dev.faultline.collector.CollectorConfig.Jsonl;
import dev.faultline.collector.CollectorConfig.Kafka;
import dev.faultline.collector.CollectorConfig.Lines;
import dev.faultline.collector.CollectorConfig.Live;
import dev.faultline.collector.CollectorConfig.Replay;
import dev.faultline.collector.metrics.CollectorMetrics;
import dev.faultline.collector.publish.DiskSpool;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.publish.JsonlWriter;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.resolve.FdInspector;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.resolve.SequenceStore;
import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.LiveSource;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.EventSource;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The collector assembled from a {@link CollectorConfig}: source → parse → resolve → publish, with its
 * sequence numbers, spool and metrics. {@link #run()} collects until the source ends (a replay) or
 * {@link #stop()} (live capture).
 */
public final class Collector {
    private final CollectorConfig config;
    private final LineSource lines;
    private final EventSource kind;
    private final CollectorStats stats = new CollectorStats();
    private KafkaPublisher publisher;

    public Collector(CollectorConfig config) {
        this.config = config;
        // Java 17: no pattern switch yet; the sealed Source has these three
        if (config.source() instanceof Live l) {
            lines = new LiveSource(l.reader().open(l.tracefs(), l.events(), l.bufferKb(), l.filters()),
                    l.bpftrace() == null ? null : new BpfHelper(l.bpftrace()), 100);
            kind = l.reader().eventSource();
        } else if (config.source() instanceof Replay r) {
            lines = new ReplaySource(r.file());
            kind = EventSource.REPLAY;
        } else {
            Lines l = (Lines) config.source();
            lines = l.lines();
            kind = l.kind();
        }
    }

    public CollectorConfig config() {
        return config;
    }

    /** What one run did. */
    public record Result(CollectorStats stats, long produced, long failed, Exception lastError) {
    }

    /** Collects until the source ends or {@link #stop()}; flushes and closes the output. */
    public Result run() throws IOException {
        boolean live = config.source() instanceof Live;
        HostContext host = new HostContext(config.host(), kind, Clock.systemUTC(), config.tdxSharedBit(), 1,
                live ? FdInspector.proc(Path.of("/proc")) : FdInspector.NONE);
        try (EventSink sink = openOutput(live); SequenceStore sequences = live ? sequences(host) : null;
                CollectorMetrics metrics = config.metrics() == null ? null
                        : new CollectorMetrics(stats, publisher).serve(config.metrics())) {
            run(lines, host, sink, stats);
        }
        return publisher == null ? new Result(stats, 0, 0, null)
                : new Result(stats, publisher.sent(), publisher.failed(), publisher.lastError());
    }

    /** Ends live capture: the reader finishes what was traced, then {@link #run()} returns. */
    public void stop() throws IOException {
        if (lines instanceof LiveSource live) {
            live.stop();
        }
    }

    private EventSink openOutput(boolean live) throws IOException {
        if (config.output() instanceof Jsonl j) {
            return new JsonlWriter(new BufferedOutputStream(j.out(), 1 << 16));
        }
        Kafka k = (Kafka) config.output();
        publisher = live && k.spoolDir() != null
                ? new KafkaPublisher(k.bootstrapServers(), k.clientProperties(), k.topic(),
                        new DiskSpool(k.spoolDir(), k.spoolMaxBytes()), n -> { })
                : new KafkaPublisher(k.bootstrapServers(), k.clientProperties(), k.topic());
        return publisher;
    }

    private SequenceStore sequences(HostContext host) throws IOException {
        SequenceStore s = SequenceStore.open(((Live) config.source()).stateDir().resolve("sequence"));
        host.persistSequences(s);
        return s;
    }

    /** Any line source through parse and resolve into the sink, counting into {@code stats} (metrics may read it meanwhile). */
    public static CollectorStats run(LineSource source, HostContext host, EventSink sink, CollectorStats stats) throws IOException {
        TracePipeline pipeline = new TracePipeline(host, sink, stats);
        source.reportLossTo(pipeline::loss);
        sink.reportLossTo(pipeline::loss);
        source.runBytes(pipeline);
        pipeline.finish();
        return stats;
    }

    /** One trace file replayed as {@code host} into the sink (check, the demo, the local pipeline). */
    public static CollectorStats replay(String file, String host, int tdxSharedBit, EventSink sink) throws IOException {
        return run(new ReplaySource(file), new HostContext(host, EventSource.REPLAY, Clock.systemUTC(), tdxSharedBit, 1), sink,
                new CollectorStats());
    }
}
