package dev.faultline.analyser.metrics;

import dev.faultline.analyser.sinks.SinkChannel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * The analyser's Prometheus exposition: events processed per type, alerts per rule, entries per
 * state store (RocksDB's estimate), every Kafka Streams and client metric (consumer lag among them:
 * {@code kafka_consumer_fetch_manager_records_lag_max}), and each sink's delivery counters.
 */
public final class AnalyserMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AnalyserCounters counters;
    private final Supplier<List<SinkChannel.Stats>> sinks;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Set<String> registered = new HashSet<>();

    public AnalyserMetrics(KafkaStreams streams, AnalyserCounters counters, List<String> stores,
            Supplier<List<SinkChannel.Stats>> sinks) {
        this.counters = counters;
        this.sinks = sinks;
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        for (String store : stores) {
            Gauge.builder("faultline.analyser.store.entries", streams, s -> entries(s, store)).tag("store", store)
                    .description("entries in this instance's state store (RocksDB estimate); NaN while rebalancing")
                    .register(registry);
        }
    }

    private static double entries(KafkaStreams streams, String store) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()))
                    .approximateNumEntries();
        } catch (RuntimeException e) {
            return Double.NaN; // not queryable now (starting, rebalancing)
        }
    }

    /** The exposition text, with meters for every event type, rule and sink seen so far. */
    public String scrape() {
        sync("faultline.analyser.events", "type", AnalyserCounters::events);
        sync("faultline.analyser.alerts", "rule", AnalyserCounters::alerts);
        for (SinkChannel.Stats s : sinks.get()) {
            sink(s.name(), "delivered", true, SinkChannel.Stats::delivered);
            sink(s.name(), "failed.attempts", true, SinkChannel.Stats::failedAttempts);
            sink(s.name(), "dropped.full", true, SinkChannel.Stats::droppedFull);
            sink(s.name(), "dropped.gave.up", true, SinkChannel.Stats::droppedGaveUp);
            sink(s.name(), "queued", false, st -> st.queued());
        }
        return registry.scrape();
    }

    private synchronized void sync(String name, String tag, Function<AnalyserCounters, Map<String, Long>> counts) {
        for (String key : counts.apply(counters).keySet()) {
            if (registered.add(name + "|" + key)) {
                FunctionCounter.builder(name, counters, c -> counts.apply(c).getOrDefault(key, 0L)).tag(tag, key)
                        .register(registry);
            }
        }
    }

    private synchronized void sink(String sink, String what, boolean counter, Function<SinkChannel.Stats, Number> value) {
        if (!registered.add("sink|" + sink + "|" + what)) {
            return;
        }
        java.util.function.ToDoubleFunction<Supplier<List<SinkChannel.Stats>>> read = list -> list.get().stream()
                .filter(s -> s.name().equals(sink)).findFirst().map(s -> value.apply(s).doubleValue()).orElse(Double.NaN);
        String name = "faultline.analyser.sink." + what;
        if (counter) {
            FunctionCounter.builder(name, sinks, read).tag("sink", sink).register(registry);
        } else {
            Gauge.builder(name, sinks, read).tag("sink", sink).register(registry);
        }
    }

    @Override
    public void close() {
        streamsMetrics.close();
        registry.close();
    }
}
