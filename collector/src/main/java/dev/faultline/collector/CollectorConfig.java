package dev.faultline.collector;

import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.events.EventSource;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Collector} is made of: where its lines come from, where its events go, and the host they
 * describe. `faultline collect` maps its options to one; tests and the demo build one directly.
 *
 * @param metrics where to serve Prometheus metrics, or null for none
 */
public record CollectorConfig(Source source, Output output, String host, int tdxSharedBit, InetSocketAddress metrics) {

    /** Where lines come from. */
    public sealed interface Source permits Live, Replay, Lines {
    }

    /**
     * This host's kernel: a tracefs instance of our own with the given events and filters, read by {@code reader},
     * merged with the BPF helper where {@code bpftrace} is given (null: without it). Sequence numbers are kept in
     * {@code stateDir}, so a restart is not a gap.
     */
    public record Live(Path tracefs, TracefsReader reader, List<String> events, Map<String, String> filters, int bufferKb,
            Path bpftrace, Path stateDir) implements Source {
    }

    /** A trace file (text or trace.dat, compressed or not; "-" for stdin). */
    public record Replay(String file) implements Source {
    }

    /** Any other line source, the simulator's among them. */
    public record Lines(LineSource lines, EventSource kind) implements Source {
    }

    /** Where events go. */
    public sealed interface Output permits Jsonl, Kafka {
    }

    /** One JSON object per event. */
    public record Jsonl(OutputStream out) implements Output {
    }

    /** A Kafka topic; while Kafka is unreachable a live collector spools to {@code spoolDir} up to {@code spoolMaxBytes}. */
    public record Kafka(String bootstrapServers, Map<String, String> clientProperties, String topic, Path spoolDir,
            long spoolMaxBytes) implements Output {
    }
}
