package dev.faultline.cli;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.events.EventSource;
import java.io.IOException;
import java.time.Clock;

/** source → parse → resolve → sink for one replayed trace: the plumbing every command shares. */
final class TraceReplayer {
    private TraceReplayer() {
    }

    static CollectorStats replay(String file, String host, int tdxSharedBit, EventSink sink) throws IOException {
        return collect(new ReplaySource(file), EventSource.REPLAY,
                new HostContext(host, EventSource.REPLAY, Clock.systemUTC(), tdxSharedBit, 1), sink);
    }

    /** Any line source through parse and resolve into the sink. */
    static CollectorStats collect(LineSource source, EventSource kind, HostContext host, EventSink sink) throws IOException {
        return collect(source, host, sink, new CollectorStats());
    }

    /** Counting into {@code stats}, which a metrics endpoint may be reading meanwhile. */
    static CollectorStats collect(LineSource source, HostContext host, EventSink sink, CollectorStats stats) throws IOException {
        TracePipeline pipeline = new TracePipeline(host, sink, stats);
        source.reportLossTo(pipeline::loss);
        sink.reportLossTo(pipeline::loss);
        source.runBytes(pipeline);
        pipeline.finish();
        sink.flush();
        return stats;
    }

    /** A host name for a replayed file: its name without directories and extension. */
    static String hostFor(String file) {
        if (file.equals("-")) {
            return "stdin";
        }
        String name = java.nio.file.Path.of(file).getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
