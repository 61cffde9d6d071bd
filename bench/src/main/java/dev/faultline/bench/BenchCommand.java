package dev.faultline.bench;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.RulesOption;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.testkit.DemoScenario;
import dev.faultline.testkit.LocalCluster;

import com.sun.net.httpserver.HttpServer;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.sinks.WebhookSink;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.serde.AvroSerde;
import java.io.BufferedWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Load commands that print figures and ratios.",
        subcommands = {BenchCommand.Sinks.class, ParseBench.class, BenchCommand.Produce.class,
            BenchCommand.Queries.class, LiveBench.class, AnalyseBench.class, RecordBench.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "produce", mixinStandardHelpOptions = true, description = {
        "Produce rate of the collector's publisher against kafka-producer-perf-test (ProducerPerformance) on the same",
        "in-process broker, at the same record size and settings (acks=all, idempotent, linger 20 ms, 256 KiB batches,",
        "no compression: random payloads would not compress, our events would); prints both and the ratio (target >= 0.8)."})
    static final class Produce implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "400000", description = "Records per run (default ${DEFAULT-VALUE}).")
        int records;

        @Override
        public Integer call() throws Exception {
            List<Event> events = new java.util.ArrayList<>();
            TracePipeline pipeline = new TracePipeline(
                    HostContext.replay("bench"), e -> {
                        if (events.size() < records) {
                            events.add(e);
                        }
                    }, new CollectorStats());
            new Simulator(new SimulationConfig(5, 6, List.of(VmKind.values()), records, 0, Set.of())).run(pipeline::accept);
            pipeline.finish();
            AvroSerde<Event> serde = AvroSerde.events();
            long bytes = events.stream().mapToLong(e -> serde.encode(e).length).sum();
            int size = (int) (bytes / events.size());
            Map<String, String> settings = Map.of("acks", "all", "enable.idempotence", "true", "linger.ms", "20",
                    "batch.size", Integer.toString(256 * 1024), "compression.type", "none");
            try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
                kafka.createTopics(Map.of("perf", 6));
                List<String> args = new java.util.ArrayList<>(List.of("--topic", "perf", "--num-records",
                        Integer.toString(events.size()), "--record-size", Integer.toString(size), "--throughput", "-1",
                        "--producer-props", "bootstrap.servers=" + kafka.bootstrapServers()));
                settings.forEach((k, v) -> args.add(k + "=" + v));
                java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
                java.io.PrintStream old = System.out;
                System.setOut(new java.io.PrintStream(captured, true));
                try {
                    org.apache.kafka.tools.ProducerPerformance.main(args.toArray(String[]::new));
                } finally {
                    System.setOut(old);
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+) records/sec")
                        .matcher(captured.toString());
                double baseline = 0;
                while (m.find()) {
                    baseline = Double.parseDouble(m.group(1)); // the last line is the run's total
                }
                KafkaPublisher publisher = new KafkaPublisher(
                        kafka.bootstrapServers(), settings, "faultline.events");
                long t0 = System.nanoTime();
                events.forEach(publisher::accept);
                publisher.flush();
                double secs = (System.nanoTime() - t0) / 1e9;
                publisher.close();
                double ours = events.size() / secs;
                System.out.printf("records: %d of %d bytes on average%n", events.size(), size);
                System.out.printf("kafka-producer-perf-test : %,10.0f records/s%n", baseline);
                System.out.printf("faultline publisher      : %,10.0f records/s  (acknowledged %d, failed %d)%n", ours,
                        publisher.sent(), publisher.failed());
                System.out.printf("ratio                    : %.2f  (target >= 0.80: %s)%n", ours / baseline,
                        ours / baseline >= 0.8 ? "met" : "MISSED");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "sinks", mixinStandardHelpOptions = true, description = {
        "Analyser throughput with a webhook sink whose receiver is up, then down (connection refused), on the same",
        "simulated traffic through an in-process broker; prints both rates and their ratio (target: down >= 0.9 x up).",
        "A bench-only rule alerts on every MMIO, each alert its own (no folding), so the sink is busy."})
    static final class Sinks implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "20000", description = "Simulated guest steps (default ${DEFAULT-VALUE}).")
        long events;

        @Mixin
        RulesOption rules;

        @Override
        public Integer call() throws Exception {
            Path tmp = Files.createTempDirectory("faultline-bench");
            Path trace = tmp.resolve("bench.trace");
            try (BufferedWriter w = Files.newBufferedWriter(trace)) {
                new Simulator(new SimulationConfig(3, 6, List.of(VmKind.values()), events, 0, Set.of())).run(l -> {
                    try {
                        w.write(l);
                        w.newLine();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            Path ruleDir = Files.createDirectories(tmp.resolve("rules"));
            try (var s = Files.list(rules.dir())) {
                for (Path f : s.toList()) {
                    Files.copy(f, ruleDir.resolve(f.getFileName()));
                }
            }
            Files.writeString(ruleDir.resolve("zz-bench.yaml"), """
                    - rule: bench-every-mmio
                      desc: bench only, keeps the sink busy
                      condition: evt.type == "Mmio"
                      output: "mmio at %evt.gpa"
                      gfn: [uint(evt.seq)]
                      priority: warning
                    """);
            RuleSet set = RuleSet.load(ruleDir);

            AtomicLong received = new AtomicLong();
            HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            receiver.createContext("/hook", ex -> {
                ex.getRequestBody().readAllBytes();
                received.incrementAndGet();
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            receiver.start();
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            try {
                Run warm = run(set, trace, URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
                Run up = run(set, trace, URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
                Run down = run(set, trace, URI.create("http://127.0.0.1:" + closedPort + "/hook"));
                System.out.printf("events: %d per run; alerts per run: %d%n", up.events, up.alerts);
                System.out.printf("warm-up          : %8.0f events/s%n", warm.rate());
                System.out.printf("webhook up       : %8.0f events/s  (sink delivered %d, dropped %d)%n", up.rate(),
                        up.stats.delivered(), up.stats.droppedFull() + up.stats.droppedGaveUp());
                System.out.printf("webhook down     : %8.0f events/s  (sink delivered %d, failed attempts %d, dropped %d, queued %d)%n",
                        down.rate(), down.stats.delivered(), down.stats.failedAttempts(),
                        down.stats.droppedFull() + down.stats.droppedGaveUp(), down.stats.queued());
                double ratio = down.rate() / up.rate();
                System.out.printf("ratio down/up    : %.3f  (target >= 0.90: %s)%n", ratio, ratio >= 0.9 ? "met" : "MISSED");
                return ExitCodes.OK;
            } finally {
                receiver.stop(0);
            }
        }

        record Run(long events, long alerts, double seconds, SinkChannel.Stats stats) {
            double rate() {
                return events / seconds;
            }
        }

        private static Run run(RuleSet rules, Path trace, URI hook) throws Exception {
            SinkChannel webhook = new SinkChannel("webhook", new WebhookSink(hook, "bench"), Priority.DEBUG, Set.of(), 10_000,
                    new SinkChannel.Retry(8, 200, 5_000));
            AtomicLong alerts = new AtomicLong();
            try (LocalPipeline p = LocalPipeline.start(rules, a -> alerts.incrementAndGet(), List.of(webhook))) {
                long t0 = System.nanoTime();
                CollectorStats stats = p.replay(trace.toString(), "bench");
                p.awaitProcessed(Duration.ofMinutes(10));
                double secs = (System.nanoTime() - t0) / 1e9;
                return new Run(stats.totalEvents(), alerts.get(), secs, p.sinkStats().get(0));
            }
        }
    }

    @Command(name = "queries", mixinStandardHelpOptions = true, description = {
        "Query latency with two analyser instances on an in-process broker: the demo scenario replayed as several VMs,",
        "then the same questions asked of one instance about VMs it owns (local) and VMs the other owns (forwarded).",
        "Prints p50/p99/max of each and the forwarded/local ratio (targets: p99 <= 10 ms local, <= 30 ms forwarded)."})
    static final class Queries implements Callable<Integer> {
        @Option(names = "--vms", defaultValue = "8", description = "VMs to load (default ${DEFAULT-VALUE}).")
        int vms;

        @Option(names = "--requests", defaultValue = "4000", description = "Measured requests of each kind (default ${DEFAULT-VALUE}).")
        int requests;

        @Mixin
        RulesOption rules;

        @Override
        public Integer call() throws Exception {
            Path scenario = DemoScenario.path();
            try (LocalCluster cluster = LocalCluster.start(2, RuleSet.load(rules.dir()))) {
                List<String> ids = new java.util.ArrayList<>();
                for (int i = 0; i < vms; i++) {
                    cluster.replay(scenario.toString(), "bench-" + i);
                    ids.add("bench-" + i + "/4242/12@100.000026");
                }
                cluster.awaitProcessed(java.time.Duration.ofSeconds(120));
                QueryLoad load = new QueryLoad(cluster.instances().get(0).url());
                QueryLoad.Split split = load.split(ids);
                if (split.local().isEmpty() || split.forwarded().isEmpty()) {
                    System.err.println("faultline bench queries: all " + vms + " VMs landed on one instance; use more --vms");
                    return ExitCodes.UNUSABLE_INPUT;
                }
                load.run(ids, Math.max(500, requests / 4)); // warm-up: JIT, connections, RocksDB caches
                long[] local = load.run(split.local(), requests);
                long[] forwarded = load.run(split.forwarded(), requests);
                System.out.printf("VMs: %d local, %d on the other instance; %d requests each, one at a time%n",
                        split.local().size(), split.forwarded().size(), requests);
                print("local", local, 10);
                print("forwarded", forwarded, 30);
                System.out.printf("forwarded/local p99 ratio: %.2f%n",
                        QueryLoad.percentileMs(forwarded, 99) / QueryLoad.percentileMs(local, 99));
            }
            return ExitCodes.OK;
        }

        private static void print(String what, long[] ns, double targetMs) {
            double p99 = QueryLoad.percentileMs(ns, 99);
            System.out.printf("%-10s p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (target p99 <= %.0f ms: %s)%n", what,
                    QueryLoad.percentileMs(ns, 50), p99, QueryLoad.percentileMs(ns, 100), targetMs,
                    p99 <= targetMs ? "met" : "MISSED");
        }
    }
}
