package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.state.VmState;
import dev.faultline.events.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The analyser run in-process without Kafka, for {@code faultline check}, rule examples and unit tests:
 * the streaming topology's own processor, fed one event at a time, with its stores held as live objects in
 * memory ({@link MemoryStore}) and its alerts collected ({@link OfflineContext}). Nothing is serialised,
 * logged or committed, so memory grows with what the analyser keeps (VMs, ranges, bounded windows), not
 * with events.
 */
public final class OfflineAnalyser implements AutoCloseable {
    private final OfflineContext context;
    private final Map<String, StateStore> stores = new LinkedHashMap<>();
    private final AnalyserProcessor processor;

    public OfflineAnalyser(RuleSet rules) {
        for (AnalyserTopology.StoreSpec spec : AnalyserTopology.STORE_SPECS) {
            stores.put(spec.name(), MemoryStore.of(spec.name(), spec.keyType()));
        }
        context = new OfflineContext(stores);
        processor = new AnalyserProcessor(() -> rules, AnalyserTopology.DEFAULT_FOLD_WINDOW_MS, new AnalyserCounters());
        processor.init(context);
    }

    public void process(Event e) {
        long ts = e.getHeader().getWallTsMs();
        context.observed(ts);
        processor.process(new Record<>(e.getHeader().getVm(), e, ts));
    }

    /**
     * Alerts produced since the last call, in order. The input so far is treated as complete:
     * the fold windows are closed, so repeats come out as one alert with its count.
     */
    public List<Alert> drainAlerts() {
        context.advance(Duration.ofMillis(AnalyserTopology.DEFAULT_FOLD_WINDOW_MS + 1000));
        return context.takeForwarded();
    }

    /** Alerts produced since the last call, the input so far not treated as complete: open folds stay open. */
    List<Alert> takeAlerts() {
        return context.takeForwarded();
    }

    /** Entries in one of the topology's key-value stores: what the state costs, for reports and tests. */
    public long storeEntries(String store) {
        StateStore s = stores.get(store);
        if (s == null) {
            throw new IllegalArgumentException("no store " + store);
        }
        return ((MemoryStore<?, ?>) s).approximateNumEntries();
    }

    /** One VM's state as the processor left it (tests). */
    @SuppressWarnings("unchecked")
    VmState vmState(String vm) {
        return ((MemoryStore<String, VmState>) stores.get(StoreNames.VM_STATE)).get(vm);
    }

    /**
     * Every store's entries as they would be stored: keys and values through the topology's serdes, in key
     * order. What a changelog of this release holds, for the state-compatibility test.
     */
    @SuppressWarnings("unchecked")
    Map<String, List<byte[][]>> dump() {
        Map<String, List<byte[][]>> out = new LinkedHashMap<>();
        for (AnalyserTopology.StoreSpec spec : AnalyserTopology.STORE_SPECS) {
            Serializer<Object> keys = (Serializer<Object>) spec.keySerde().serializer();
            Serializer<Object> values = (Serializer<Object>) spec.valueSerde().serializer();
            List<byte[][]> entries = new ArrayList<>();
            try (KeyValueIterator<Object, Object> it = ((MemoryStore<Object, Object>) stores.get(spec.name())).all()) {
                it.forEachRemaining(kv -> entries.add(new byte[][] {keys.serialize(spec.name(), kv.key),
                    values.serialize(spec.name(), kv.value)}));
            }
            out.put(spec.name(), entries);
        }
        return out;
    }

    /** Loads entries as {@link #dump} gives them (a changelog restored), through the serdes; before any event. */
    @SuppressWarnings("unchecked")
    void restore(Map<String, List<byte[][]>> state) {
        for (AnalyserTopology.StoreSpec spec : AnalyserTopology.STORE_SPECS) {
            Deserializer<Object> keys = (Deserializer<Object>) spec.keySerde().deserializer();
            Deserializer<Object> values = (Deserializer<Object>) spec.valueSerde().deserializer();
            MemoryStore<Object, Object> store = (MemoryStore<Object, Object>) stores.get(spec.name());
            for (byte[][] kv : state.getOrDefault(spec.name(), List.of())) {
                store.put(keys.deserialize(spec.name(), kv[0]), values.deserialize(spec.name(), kv[1]));
            }
        }
    }

    @Override
    public void close() {
        processor.close();
        stores.values().forEach(StateStore::close);
    }
}
