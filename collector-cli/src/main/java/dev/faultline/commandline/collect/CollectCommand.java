package dev.faultline.commandline.collect;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.KafkaOptions;
import dev.faultline.commandline.LogOptions;
import dev.faultline.collector.Collector;
import dev.faultline.collector.CollectorConfig;
import dev.faultline.collector.host.HostAssessment;
import dev.faultline.collector.host.HostProbe;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.events.EventSource;
import dev.faultline.events.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Turn KVM trace events into Faultline events: JSON lines on stdout, or Avro records on Kafka.",
            "A summary (events per type, lines skipped per reason, unsupported events by name) goes to stderr."})
public final class CollectCommand implements Callable<Integer> {

    @Option(names = "--source", defaultValue = "tracefs", paramLabel = "tracefs|replay:FILE|simulate",
            description = "Where events come from: tracefs (default) captures live from this host's kernel in a "
                    + "tracefs instance of its own, until SIGINT/SIGTERM; replay:FILE replays trace text (trace, "
                    + "trace_pipe, trace-cmd report), replay:- reads stdin; simulate runs the simulator.")
    String source;

    @Option(names = "--tracefs", defaultValue = "/sys/kernel/tracing", paramLabel = "DIR",
            description = "Where tracefs is (mounted there if it is not). Default ${DEFAULT-VALUE}.")
    Path tracefs;

    @Option(names = "--buffer-kb", defaultValue = "8192", description = "Ring buffer per CPU, KiB (default ${DEFAULT-VALUE}).")
    int bufferKb;

    @Option(names = "--spool-dir", defaultValue = "${java.io.tmpdir}/faultline-spool", paramLabel = "DIR",
            description = "Live, with Kafka: where events wait while Kafka is unreachable (default ${DEFAULT-VALUE}); "
                    + "a spool left by an earlier run is sent first.")
    Path spoolDir;

    @Option(names = "--spool-max-mb", defaultValue = "1024", description = "Spool bound, MiB; past it events are counted "
            + "and reported as TraceLoss (SPOOL_OVERFLOW). Default ${DEFAULT-VALUE}.")
    long spoolMaxMb;

    @Option(names = "--trace-events", split = ",", paramLabel = "EVENT",
            description = "Live: only these events (names like kvm_mmio or kvm/kvm_mmio; default: the standard set).")
    List<String> traceEvents;

    @Option(names = "--comm", paramLabel = "GLOB", description = "Live: only events of tasks whose name matches (kernel-side filter), e.g. 'qemu*'.")
    String comm;

    @Option(names = "--filemap-dev", defaultValue = "auto", paramLabel = "auto|all",
            description = "Live: page-cache events only for the anonymous-inode filesystem guest_memfd lives on (auto, the "
                    + "default, learns its device from an epoll fd of the collector), or all of them. Use all where a "
                    + "kernel gives guest_memfd a filesystem of its own.")
    String filemapDev;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics on this port at /metrics.")
    Integer metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address the metrics endpoint binds to (default ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--reader", defaultValue = "raw", paramLabel = "raw|text",
            description = "Live: how to read the kernel's ring buffer: raw (binary per-CPU trace_pipe_raw pages, decoded with "
                    + "the events' format files, merged across CPUs in time order) or text (the kernel's trace_pipe text, "
                    + "formatted and ordered by the kernel; the fallback). Default ${DEFAULT-VALUE}.")
    String reader;

    @Option(names = "--bpf", description = "Live: also run the bundled bpftrace helper, which decodes the KVM ioctl structs "
            + "(memslots, memory attributes, guest_memfd, population) that tracefs shows only as pointers.")
    boolean bpf;

    @Mixin
    SimulationOptions simulation;

    @picocli.CommandLine.Mixin
    LogOptions log;

    @Option(names = "--output", paramLabel = "jsonl", description = "jsonl: one JSON object per event on stdout. "
            + "Without it, --bootstrap-servers is required and events go to Kafka.")
    String output;

    @Option(names = "--host", description = "Host name in event headers and VM ids (default: this machine's name).")
    String host;

    @Option(names = "--topic", defaultValue = Topics.EVENTS, description = "Kafka topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--tdx-shared-bit", defaultValue = "47",
            description = "GPA bit that marks shared memory in TDX guests: 47 (4-level EPT) or 51 (5-level). Default ${DEFAULT-VALUE}.")
    int tdxSharedBit;

    @Mixin
    KafkaOptions kafka;

    /** Counted down when the collection has flushed and cleaned up. */
    private final CountDownLatch finished = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        try {
            return collect();
        } finally {
            finished.countDown();
        }
    }

    private Integer collect() throws Exception {
        Collector collector = new Collector(new CollectorConfig(source(), output(), host != null ? host
                : InetAddress.getLocalHost().getHostName(), tdxSharedBit,
                metricsPort == null ? null : new InetSocketAddress(metricsBind, metricsPort)));
        if (source.equals("tracefs")) {
            // On SIGINT/SIGTERM: let the reader finish what was traced, and wait while the collection
            // flushes its output and removes its tracefs instance (the JVM exits when hooks return).
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    collector.stop();
                    finished.await(30, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                    System.err.println("faultline collect: stopping: " + e.getMessage());
                }
            }));
        }
        Collector.Result result = collector.run();
        System.err.print(result.stats().summary());
        if (!(collector.config().output() instanceof CollectorConfig.Kafka k)) {
            return ExitCodes.OK;
        }
        System.err.printf("produced to %s: %d, failed: %d%n", k.topic(), result.produced(), result.failed());
        if (result.failed() > 0) {
            System.err.println("last error: " + result.lastError());
            return ExitCodes.UNUSABLE_INPUT;
        }
        return ExitCodes.OK;
    }

    private CollectorConfig.Source source() {
        if (source.equals("simulate")) {
            return new CollectorConfig.Lines(simulation.source(), EventSource.SIMULATOR);
        }
        if (source.startsWith("replay:") && source.length() > "replay:".length()) {
            return new CollectorConfig.Replay(source.substring("replay:".length()));
        }
        if (!source.equals("tracefs")) {
            throw new IllegalArgumentException("--source " + source + ": expected tracefs, replay:FILE, replay:- or simulate");
        }
        // say up front what this host can show, instead of an operator finding out from missing alerts
        HostAssessment.of(new HostProbe(tracefs).facts()).warnings().forEach(w -> System.err.println("faultline collect: " + w));
        Path bpftrace = bpf ? BpfHelper.findBpftrace() : null;
        if (bpf && bpftrace == null) {
            System.err.println("faultline collect: --bpf: bpftrace is not installed (apt-get install bpftrace); "
                    + "continuing without it: memslot and attribute structs will be unknown");
        }
        List<String> chosen = TracefsSession.STANDARD_EVENTS;
        if (traceEvents != null) {
            chosen = new ArrayList<>();
            for (String e : traceEvents) {
                String q = EventFilters.qualify(e.strip());
                if (q == null) {
                    throw new IllegalArgumentException("--trace-events: unknown event '" + e + "' (give system/event for others)");
                }
                chosen.add(q);
            }
        }
        Long dev = null;
        if (filemapDev.equals("auto")) {
            dev = EventFilters.anonInodeDev();
        } else if (!filemapDev.equals("all")) {
            throw new IllegalArgumentException("--filemap-dev " + filemapDev + ": auto or all");
        }
        TracefsReader how = switch (reader) {
            case "raw" -> TracefsReader.RAW;
            case "text" -> TracefsReader.TEXT;
            default -> throw new IllegalArgumentException("--reader " + reader + ": raw or text");
        };
        return new CollectorConfig.Live(tracefs, how, chosen, EventFilters.of(chosen, comm, dev), bufferKb, bpftrace, spoolDir);
    }

    private CollectorConfig.Output output() {
        if ("jsonl".equals(output)) {
            return new CollectorConfig.Jsonl(System.out);
        }
        if (output != null) {
            throw new IllegalArgumentException("--output " + output + ": only jsonl is supported");
        }
        if (kafka.bootstrapServers == null) {
            throw new IllegalArgumentException("give --output jsonl or --bootstrap-servers");
        }
        return new CollectorConfig.Kafka(kafka.bootstrapServers, kafka.clientProperties(), topic, spoolDir, spoolMaxMb << 20);
    }
}
