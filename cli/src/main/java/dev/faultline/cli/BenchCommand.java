package dev.faultline.cli;

import com.sun.net.httpserver.HttpServer;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.sinks.WebhookSink;
import dev.faultline.collector.CollectorStats;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import java.io.BufferedWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Load commands that print figures and ratios.",
        subcommands = {BenchCommand.Sinks.class, BenchCommand.Parse.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "parse", mixinStandardHelpOptions = true, description = {
        "Collector parse + resolve + Avro encode rate on one thread, over simulated trace text held in memory",
        "(target: >= 2 M events/s per core). Prints a warm-up pass and the measured passes."})
    static final class Parse implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "300000", description = "Simulated guest steps (default ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--passes", defaultValue = "5", description = "Measured passes (default ${DEFAULT-VALUE}).")
        int passes;

        @Override
        public Integer call() throws Exception {
            List<String> lines = new java.util.ArrayList<>();
            new Simulator(new SimulationConfig(3, 6, List.of(VmKind.values()), events, 0, Set.of())).run(lines::add);
            dev.faultline.serde.AvroSerde<dev.faultline.events.Event> serde = dev.faultline.serde.AvroSerde.events();
            long[] bytes = {0};
            dev.faultline.collector.publish.EventSink encode = e -> bytes[0] += serde.encode(e).length;
            System.out.printf("%d lines of simulated trace text in memory%n", lines.size());
            double best = 0;
            for (int pass = 0; pass <= passes; pass++) {
                CollectorStats stats = new CollectorStats();
                dev.faultline.collector.TracePipeline p = new dev.faultline.collector.TracePipeline(
                        dev.faultline.collector.resolve.HostContext.replay("bench"), encode, stats);
                long t0 = System.nanoTime();
                lines.forEach(p::accept);
                p.finish();
                double secs = (System.nanoTime() - t0) / 1e9;
                double rate = stats.totalEvents() / secs;
                System.out.printf("%s %d: %,d events in %.2f s = %,.0f events/s (%,.0f lines/s)%n", pass == 0 ? "warm-up" : "pass",
                        pass, stats.totalEvents(), secs, rate, lines.size() / secs);
                if (pass > 0) {
                    best = Math.max(best, rate);
                }
            }
            System.out.printf("best: %,.0f events/s = %.2f x the 2 M events/s target%n", best, best / 2_000_000);
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
}
