package dev.faultline.collector.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.KafkaPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The collector's Prometheus endpoint ({@code /metrics}): lines read, events per type, lines skipped per
 * reason, unsupported events per name, lost events per reason, and with Kafka: produced, failed,
 * spooled, spool overflow and spool size. Read from the counters the collector keeps anyway; a meter
 * is registered when its type or reason first appears.
 */
public final class CollectorMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CollectorStats stats;
    private final Set<String> registered = new HashSet<>();
    private HttpServer server;

    public CollectorMetrics(CollectorStats stats, KafkaPublisher publisher) {
        this.stats = stats;
        FunctionCounter.builder("faultline.collector.lines", stats, CollectorStats::lines)
                .description("trace lines read").register(registry);
        if (publisher != null) {
            FunctionCounter.builder("faultline.collector.produced", publisher, KafkaPublisher::sent)
                    .description("events acknowledged by Kafka").register(registry);
            FunctionCounter.builder("faultline.collector.produce.failed", publisher, KafkaPublisher::failed)
                    .description("events Kafka did not take").register(registry);
            FunctionCounter.builder("faultline.collector.spooled", publisher, KafkaPublisher::spooled)
                    .description("events written to the disk spool").register(registry);
            FunctionCounter.builder("faultline.collector.spool.overflow", publisher, KafkaPublisher::overflowed)
                    .description("events the full spool could not take (reported as TraceLoss)").register(registry);
            Gauge.builder("faultline.collector.spool.bytes", publisher, KafkaPublisher::spoolBytes)
                    .description("bytes waiting in the disk spool").register(registry);
        }
    }

    /** The exposition text, with meters for every type and reason seen so far. */
    public String scrape() {
        sync("faultline.collector.events", "type", CollectorStats::events);
        sync("faultline.collector.skipped", "reason", CollectorStats::skipped);
        sync("faultline.collector.unsupported", "event", CollectorStats::unsupported);
        sync("faultline.collector.lost.events", "reason", CollectorStats::lostEvents);
        return registry.scrape();
    }

    private synchronized void sync(String name, String tag, Function<CollectorStats, Map<String, Long>> counts) {
        for (String key : counts.apply(stats).keySet()) {
            if (registered.add(name + "|" + key)) {
                FunctionCounter.builder(name, stats, s -> counts.apply(s).getOrDefault(key, 0L)).tag(tag, key).register(registry);
            }
        }
    }

    /** Serves /metrics on {@code address} (bind to loopback unless told otherwise). */
    public CollectorMetrics serve(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/metrics", ex -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
