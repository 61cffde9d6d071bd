package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Event;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;

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

    /** Entries in one of the topology's key-value stores: what the state costs, for reports and tests. */
    public long storeEntries(String store) {
        StateStore s = stores.get(store);
        if (s == null) {
            throw new IllegalArgumentException("no store " + store);
        }
        return ((MemoryStore<?, ?>) s).approximateNumEntries();
    }

    @Override
    public void close() {
        processor.close();
        stores.values().forEach(StateStore::close);
    }
}
