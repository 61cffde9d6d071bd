package dev.faultline.cli;

import dev.faultline.analyser.rules.RuleReloader;
import dev.faultline.analyser.sinks.AlertRouter;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "analyse", aliases = "analyze", mixinStandardHelpOptions = true,
        description = {"Run the streaming analyser against a Kafka cluster (exactly-once, RocksDB state) until interrupted.",
            "Rule files are reloaded when they change; an edit that does not load keeps the previous rules and is logged."})
final class AnalyseCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @picocli.CommandLine.Mixin
    LogOptions log;

    @Mixin
    RulesOption rules;

    @Option(names = "--sinks", paramLabel = "FILE",
            description = "Sinks file (log, webhook, alertmanager, slack); see docs/sinks.md. Without it alerts stay on faultline.alerts.")
    Path sinks;

    @Option(names = "--application-server", paramLabel = "HOST:PORT",
            description = "This instance's query API as the other instances reach it (its host and --http-port; Kafka "
                    + "Streams application.server). Needed with more than one instance: a query to any instance is "
                    + "then forwarded to the one that owns the VM.")
    String applicationServer;

    @Option(names = "--state-dir", defaultValue = "${java.io.tmpdir}/faultline-streams", paramLabel = "DIR",
            description = "Kafka Streams state directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    HttpApiOptions http;

    private java.util.Map<String, String> streamsProperties() {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>(kafka.clientProperties());
        if (applicationServer != null) {
            p.put("application.server", applicationServer);
        }
        return p;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (kafka.bootstrapServers == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (RuleReloader reloader = new RuleReloader(rules.dir(), Duration.ofSeconds(2));
                AnalyserApp app = new AnalyserApp(kafka.bootstrapServers, stateDir, reloader, streamsProperties())) {
            // Close from the hook: the JVM exits when hooks end, so closing after the latch could be cut short.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                app.close();
            }));
            AlertRouter router = sinks == null ? null
                    : new AlertRouter(kafka.bootstrapServers, kafka.clientProperties(), SinkConfig.load(sinks));
            AtomicReference<Throwable> failed = new AtomicReference<>();
            app.failure().thenAccept(e -> {
                failed.set(e);
                stop.countDown();
            });
            app.start();
            java.util.function.Supplier<java.util.List<dev.faultline.analyser.sinks.SinkChannel.Stats>> sinkStats =
                    router == null ? java.util.List::of : router::stats;
            dev.faultline.analyser.metrics.AnalyserMetrics metrics = app.metrics(sinkStats);
            ApiServer api = http.start(new Sources(app.queries(), reloader, sinkStats, metrics::scrape));
            System.err.println("faultline analyse: running against " + kafka.bootstrapServers
                    + (api == null ? "" : "; queries at " + HttpApiOptions.url(api, http.httpHost)) + " (Ctrl-C stops)");
            stop.await();
            if (api != null) {
                api.close();
            }
            if (router != null) {
                router.close();
            }
            metrics.close();
            if (failed.get() != null) {
                System.err.println("faultline analyse: stopped: Kafka Streams failed: " + rootCause(failed.get()));
                return ExitCodes.FAILED;
            }
        }
        return ExitCodes.OK;
    }

    /** The innermost cause, where Kafka names what was refused (e.g. "Transactional Id authorization failed"). */
    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
