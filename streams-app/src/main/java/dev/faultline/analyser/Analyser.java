package dev.faultline.analyser;

import dev.faultline.analyser.metrics.AnalyserMetrics;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.rules.RuleReloader;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.AlertRouter;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.analyser.topology.AnalyserApp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The analyser assembled from an {@link AnalyserConfig}: the Kafka Streams application with rules that reload
 * when their files change, the router that sends committed alerts to the sinks, and the metrics of both. The
 * query API (module api) is served over {@link #queries()}, {@link #rules()}, {@link #sinkStats()} and
 * {@link #metrics()}.
 */
public final class Analyser implements AutoCloseable {
    private final RuleReloader rules;
    private final AnalyserApp app;
    private final AlertRouter router;
    private AnalyserMetrics metrics;

    public Analyser(AnalyserConfig config) {
        rules = new RuleReloader(config.rulesDir(), Duration.ofSeconds(2));
        Map<String, String> streams = new LinkedHashMap<>(config.clientProperties());
        if (config.applicationServer() != null) {
            streams.put("application.server", config.applicationServer());
        }
        app = new AnalyserApp(config.bootstrapServers(), config.stateDir(), rules, streams);
        router = config.sinksFile() == null ? null
                : new AlertRouter(config.bootstrapServers(), config.clientProperties(), SinkConfig.load(config.sinksFile()));
    }

    /** Starts the stream threads; returns at once. */
    public void start() {
        app.start();
        metrics = app.metrics(this::sinkStats);
    }

    /** Completes with the error that stopped Kafka Streams for good (a missing ACL, ...). */
    public CompletableFuture<Throwable> failure() {
        return app.failure();
    }

    public StateQueries queries() {
        return app.queries();
    }

    public Supplier<RuleSet> rules() {
        return rules;
    }

    public List<SinkChannel.Stats> sinkStats() {
        return router == null ? List.of() : router.stats();
    }

    /** Prometheus metrics of the application and the sinks (after {@link #start()}). */
    public AnalyserMetrics metrics() {
        return metrics;
    }

    /** Stops the sinks first (what they hold is re-read from faultline.alerts by the next instance), then the streams. */
    @Override
    public void close() {
        if (router != null) {
            router.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        app.close();
        rules.close();
    }
}
