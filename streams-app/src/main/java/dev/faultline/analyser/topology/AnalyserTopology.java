package dev.faultline.analyser.topology;

import dev.faultline.analyser.alerts.AlertFold;
import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.rules.RuleWindow;
import dev.faultline.analyser.state.JsonSerde;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.state.VcpuContextSerde;
import dev.faultline.analyser.state.VmState;
import dev.faultline.events.Topics;
import dev.faultline.serde.AvroSerde;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * faultline.events → analyse (state stores, rules) → faultline.alerts. The streaming analyser and
 * {@code faultline check} run this same topology.
 */
public final class AnalyserTopology {
    /** Repeats of an alert within this long are folded into one alert with a count. */
    public static final long DEFAULT_FOLD_WINDOW_MS = 10_000;
    /** Distinct alerts of one rule on one VM per fold window before the rest are counted into one (AlertFolder). */
    public static final int ALERT_BUDGET = 100;

    private AnalyserTopology() {
    }

    public static Topology build(Supplier<RuleSet> rules) {
        return build(rules, DEFAULT_FOLD_WINDOW_MS);
    }

    public static Topology build(Supplier<RuleSet> rules, long foldWindowMs) {
        return build(rules, foldWindowMs, new AnalyserCounters());
    }

    /** The stores the query API and /metrics read. */
    public static final List<String> STORES = List.of(StoreNames.VM_STATE, StoreNames.VCPU, StoreNames.INTERVALS, StoreNames.RULE_WINDOWS,
            StoreNames.FOLDS, StoreNames.HISTORY, StoreNames.ALERTS, StoreNames.MEMSLOTS);

    /**
     * A store of the analyser: its name, key type and serdes. The streaming topology builds each as a RocksDB
     * store behind a {@link LiveObjectStore} (the processor rewrites the same keys for nearly every event: a
     * VM's state, a vCPU's context, an interval chunk; they are written through once per commit), the
     * offline analyser as a memory store: one list, so the two cannot drift apart.
     */
    record StoreSpec(String name, Class<?> keyType, Serde<?> keySerde, Serde<?> valueSerde) {
    }

    static final List<StoreSpec> STORE_SPECS = List.of(
            new StoreSpec(StoreNames.VM_STATE, String.class, Serdes.String(), new JsonSerde<>(VmState.class)),
            new StoreSpec(StoreNames.VCPU, String.class, Serdes.String(), new VcpuContextSerde()),
            new StoreSpec(StoreNames.FOLDS, String.class, Serdes.String(), new JsonSerde<>(AlertFold.class)),
            new StoreSpec(StoreNames.RULE_WINDOWS, String.class, Serdes.String(), new JsonSerde<>(RuleWindow.class)),
            new StoreSpec(StoreNames.INTERVALS, Bytes.class, Serdes.Bytes(), Serdes.ByteArray()),
            new StoreSpec(StoreNames.HISTORY, Bytes.class, Serdes.Bytes(), Serdes.ByteArray()),
            new StoreSpec(StoreNames.ALERTS, Bytes.class, Serdes.Bytes(), Serdes.ByteArray()),
            new StoreSpec(StoreNames.MEMSLOTS, Bytes.class, Serdes.Bytes(), Serdes.ByteArray()));

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static StoreBuilder<?> builder(StoreSpec spec) {
        return LiveObjectStore.around((StoreBuilder) Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(spec.name()),
                spec.keySerde(), spec.valueSerde()).withCachingDisabled());
    }

    /** With the counters /metrics reads. */
    public static Topology build(Supplier<RuleSet> rules, long foldWindowMs, AnalyserCounters counters) {
        Topology t = new Topology();
        t.addSource("events", Serdes.String().deserializer(), AvroSerde.events().deserializer(), Topics.EVENTS);
        t.addProcessor("analyse", () -> new AnalyserProcessor(rules, foldWindowMs, counters), "events");
        for (StoreSpec spec : STORE_SPECS) {
            t.addStateStore(builder(spec), "analyse");
        }
        t.addSink("alerts", Topics.ALERTS, Serdes.String().serializer(), AvroSerde.alerts().serializer(), "analyse");
        return t;
    }
}
