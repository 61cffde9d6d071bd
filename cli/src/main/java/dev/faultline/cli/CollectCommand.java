package dev.faultline.cli;

import dev.faultline.collector.CollectorStats;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.publish.JsonlWriter;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.events.EventSource;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Turn KVM trace events into Faultline events: JSON lines on stdout, or Avro records on Kafka.",
            "A summary (events per type, lines skipped per reason, unsupported events by name) goes to stderr."})
final class CollectCommand implements Callable<Integer> {

    @Option(names = "--source", required = true, paramLabel = "replay:FILE|simulate",
            description = "Where events come from: replay:FILE replays trace text (trace, trace_pipe, trace-cmd report), "
                    + "replay:- reads stdin, simulate runs the simulator (see its options below). "
                    + "(Live tracefs capture is not built yet.)")
    String source;

    @Mixin
    SimulationOptions simulation;

    @Option(names = "--output", paramLabel = "jsonl", description = "jsonl: one JSON object per event on stdout. "
            + "Without it, --bootstrap-servers is required and events go to Kafka.")
    String output;

    @Option(names = "--host", description = "Host name in event headers and VM ids (default: this machine's name).")
    String host;

    @Option(names = "--topic", defaultValue = KafkaPublisher.EVENTS_TOPIC, description = "Kafka topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--tdx-shared-bit", defaultValue = "47",
            description = "GPA bit that marks shared memory in TDX guests: 47 (4-level EPT) or 51 (5-level). Default ${DEFAULT-VALUE}.")
    int tdxSharedBit;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        LineSource lines;
        EventSource kind;
        if (source.equals("simulate")) {
            lines = simulation.source();
            kind = EventSource.SIMULATOR;
        } else if (source.startsWith("replay:") && source.length() > "replay:".length()) {
            lines = new ReplaySource(source.substring("replay:".length()));
            kind = EventSource.REPLAY;
        } else {
            throw new IllegalArgumentException("--source " + source + ": expected replay:FILE, replay:- or simulate");
        }
        EventSink sink;
        KafkaPublisher publisher = null;
        if ("jsonl".equals(output)) {
            sink = new JsonlWriter(new BufferedOutputStream(System.out, 1 << 16));
        } else if (output != null) {
            throw new IllegalArgumentException("--output " + output + ": only jsonl is supported");
        } else if (kafka.bootstrapServers != null) {
            publisher = new KafkaPublisher(kafka.bootstrapServers, kafka.clientProperties(), topic);
            sink = publisher;
        } else {
            throw new IllegalArgumentException("give --output jsonl or --bootstrap-servers");
        }
        String hostName = host != null ? host : InetAddress.getLocalHost().getHostName();
        CollectorStats stats;
        try (EventSink s = sink) {
            stats = TraceReplayer.collect(lines, kind, hostName, tdxSharedBit, s);
        }
        System.err.print(stats.summary());
        if (publisher != null) {
            System.err.printf("produced to %s: %d, failed: %d%n", topic, publisher.sent(), publisher.failed());
            if (publisher.failed() > 0) {
                System.err.println("last error: " + publisher.lastError());
                return ExitCodes.UNUSABLE_INPUT;
            }
        }
        return ExitCodes.OK;
    }
}
