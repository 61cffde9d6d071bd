package dev.faultline.analyser.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the analyser's stream threads did, counted for /metrics: events processed per type and
 * alerts emitted per rule. Under exactly-once a transaction that aborts is processed again, so
 * these count work done, not distinct records.
 */
public final class AnalyserCounters {
    private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> alerts = new ConcurrentHashMap<>();

    public void event(String type) {
        events.computeIfAbsent(type, k -> new LongAdder()).increment();
    }

    public void alert(String rule) {
        alerts.computeIfAbsent(rule, k -> new LongAdder()).increment();
    }

    public Map<String, Long> events() {
        return snapshot(events);
    }

    public Map<String, Long> alerts() {
        return snapshot(alerts);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
