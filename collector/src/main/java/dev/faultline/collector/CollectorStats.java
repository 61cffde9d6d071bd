package dev.faultline.collector;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the collector did with its input: events produced per type, lines skipped per reason
 * (with the first sample of each), unsupported events per name. Nothing is dropped uncounted.
 */
public final class CollectorStats {
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();
    private final Map<String, String> samples = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> unsupported = new ConcurrentHashMap<>();
    private final Counter lines = new Counter(); // line() and event counts: only under the pipeline's lock
    private final Map<String, LongAdder> lost = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> other = new ConcurrentHashMap<>();

    /** One more line read; called under the pipeline's lock. */
    public void line() {
        lines.increment();
    }

    /** The counter of events of {@code type} (the resolver keeps it: one per type, looked up once). */
    public Counter eventCounter(String type) {
        return events.computeIfAbsent(type, k -> new Counter());
    }

    /** A line or call skipped for {@code reason}; the first {@code sample} per reason is kept. */
    public void skip(String reason, String sample) {
        skipped.computeIfAbsent(reason, k -> new LongAdder()).increment();
        if (sample != null) {
            samples.putIfAbsent(reason, sample);
        }
    }

    /** Events the kernel, the ring buffer or the spool lost, by reason (what TraceLoss events report). */
    public void lost(String reason, long count) {
        lost.computeIfAbsent(reason, k -> new LongAdder()).add(count);
    }

    public Map<String, Long> lostEvents() {
        return snapshot(lost);
    }

    public void unsupported(String eventName) {
        unsupported.computeIfAbsent(eventName, k -> new LongAdder()).increment();
    }

    /** A line that is expected and carries no event of its own (header, annotation, syscall half of a pair). */
    public void other(String kind) {
        other.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public Map<String, Long> other() {
        return snapshot(other);
    }

    public long lines() {
        return lines.get();
    }

    public Map<String, Long> events() {
        Map<String, Long> out = new TreeMap<>();
        events.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public Map<String, Long> skipped() {
        return snapshot(skipped);
    }

    public Map<String, String> samples() {
        return new TreeMap<>(samples);
    }

    public Map<String, Long> unsupported() {
        return snapshot(unsupported);
    }

    public long totalEvents() {
        return events.values().stream().mapToLong(Counter::get).sum();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The summary {@code faultline collect} prints to stderr. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("lines read: ").append(lines()).append('\n');
        sb.append("events: ").append(totalEvents()).append('\n');
        events().forEach((k, v) -> sb.append(String.format("  %-34s %d%n", k, v)));
        Map<String, Long> sk = skipped();
        sb.append("skipped: ").append(sk.values().stream().mapToLong(Long::longValue).sum()).append('\n');
        Map<String, String> sm = samples();
        sk.forEach((k, v) -> {
            sb.append(String.format("  %-34s %d", k, v));
            if (sm.containsKey(k)) {
                sb.append("   e.g. ").append(abbreviate(sm.get(k)));
            }
            sb.append('\n');
        });
        Map<String, Long> ot = other();
        sb.append("other lines: ").append(ot.values().stream().mapToLong(Long::longValue).sum()).append('\n');
        ot.forEach((k, v) -> sb.append(String.format("  %-34s %d%n", k, v)));
        Map<String, Long> un = unsupported();
        sb.append("unsupported events: ").append(un.values().stream().mapToLong(Long::longValue).sum()).append('\n');
        un.forEach((k, v) -> sb.append(String.format("  %-34s %d%n", k, v)));
        return sb.toString();
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }
}
