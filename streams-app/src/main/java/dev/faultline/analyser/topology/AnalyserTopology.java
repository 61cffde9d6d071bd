package dev.faultline.analyser.topology;

import dev.faultline.analyser.alerts.AlertFold;
import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.rules.RuleWindow;
import dev.faultline.analyser.state.JsonSerde;
import dev.faultline.analyser.state.VcpuContextSerde;
import dev.faultline.analyser.state.VmState;
import dev.faultline.serde.AvroSerde;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * faultline.events → analyse (state stores, rules) → faultline.alerts. The streaming analyser and
 * {@code faultline check} run this same topology.
 */
public final class AnalyserTopology {
    public static final String VM_STATE_STORE = "vm-state";
    public static final String VCPU_STORE = "vcpu-context";
    public static final String INTERVAL_STORE = "gfn-intervals";
    public static final String RULE_WINDOW_STORE = "rule-windows";
    public static final String FOLD_STORE = "alert-folds";
    public static final String HISTORY_STORE = "attribute-history";
    public static final String ALERTS_STORE = "recent-alerts";
    /** Repeats of an alert within this long are folded into one alert with a count. */
    public static final long DEFAULT_FOLD_WINDOW_MS = 10_000;

    private AnalyserTopology() {
    }

    public static Topology build(Supplier<RuleSet> rules) {
        return build(rules, DEFAULT_FOLD_WINDOW_MS);
    }

    public static Topology build(Supplier<RuleSet> rules, long foldWindowMs) {
        return build(rules, foldWindowMs, new AnalyserCounters());
    }

    /** The stores the query API and /metrics read. */
    public static final List<String> STORES = List.of(VM_STATE_STORE, VCPU_STORE, INTERVAL_STORE, RULE_WINDOW_STORE,
            FOLD_STORE, HISTORY_STORE, ALERTS_STORE);

    /** With the counters /metrics reads. */
    public static Topology build(Supplier<RuleSet> rules, long foldWindowMs, AnalyserCounters counters) {
        Topology t = new Topology();
        t.addSource("events", Serdes.String().deserializer(), AvroSerde.events().deserializer(), Topics.EVENTS);
        t.addProcessor("analyse", () -> new AnalyserProcessor(rules, foldWindowMs, counters), "events");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VM_STATE_STORE), Serdes.String(),
                new JsonSerde<>(VmState.class)), "analyse");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VCPU_STORE), Serdes.String(),
                new VcpuContextSerde()), "analyse");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FOLD_STORE), Serdes.String(),
                new JsonSerde<>(AlertFold.class)), "analyse");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RULE_WINDOW_STORE), Serdes.String(),
                new JsonSerde<>(RuleWindow.class)), "analyse");
        // Intervals: no record cache in front, the chunk layout already batches pages into ranges.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INTERVAL_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingDisabled(), "analyse");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingDisabled(), "analyse");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ALERTS_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingDisabled(), "analyse");
        t.addSink("alerts", Topics.ALERTS, Serdes.String().serializer(), AvroSerde.alerts().serializer(), "analyse");
        return t;
    }
}
