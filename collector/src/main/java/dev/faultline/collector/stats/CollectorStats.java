package dev.faultline.collector.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the collector did with its input: events produced per type, lines skipped per reason
 * (with the first sample of each and its line number), unsupported events per name. Nothing is
 * dropped uncounted, and nothing here grows with the input: past {@link #MAX_NAMES} distinct
 * unsupported names the rest are counted together, and the summary prints samples escaped and cut.
 */
public final class CollectorStats {
    /** Distinct unsupported event names kept apart; a trace of a million made-up names stays small. */
    public static final int MAX_NAMES = 1000;
    public static final String OTHER_NAMES = "(other names)";
    /** Unsupported names printed by the summary, most frequent first. */
    static final int NAMES_SHOWN = 20;

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
        if (sample != null && !samples.containsKey(reason)) {
            samples.putIfAbsent(reason, abbreviate(sample));
        }
    }

    /** The line just read skipped for {@code reason}: its sample names its line number. */
    public void skipLine(String reason, String text) {
        skip(reason, samples.containsKey(reason) ? null : "line " + lines.get() + ": " + text);
    }

    /** Events the kernel, the ring buffer or the spool lost, by reason (what TraceLoss events report). */
    public void lost(String reason, long count) {
        lost.computeIfAbsent(reason, k -> new LongAdder()).add(count);
    }

    public Map<String, Long> lostEvents() {
        return snapshot(lost);
    }

    public void unsupported(String eventName) {
        LongAdder n = unsupported.get(eventName);
        if (n == null) {
            n = unsupported.size() < MAX_NAMES
                    ? unsupported.computeIfAbsent(abbreviate(eventName), k -> new LongAdder())
                    : unsupported.computeIfAbsent(OTHER_NAMES, k -> new LongAdder());
        }
        n.increment();
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
        sb.append(skippedSummary());
        Map<String, Long> ot = other();
        sb.append("other lines: ").append(ot.values().stream().mapToLong(Long::longValue).sum()).append('\n');
        ot.forEach((k, v) -> sb.append(String.format("  %-34s %d%n", k, v)));
        Map<String, Long> un = unsupported();
        sb.append("unsupported events: ").append(un.values().stream().mapToLong(Long::longValue).sum());
        if (un.size() > NAMES_SHOWN) {
            sb.append(" (").append(un.size()).append(" names, the ").append(NAMES_SHOWN).append(" most frequent shown)");
        }
        sb.append('\n');
        un.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(NAMES_SHOWN)
                .forEach(e -> sb.append(String.format("  %-34s %d%n", e.getKey(), e.getValue())));
        return sb.toString();
    }

    /** Lines skipped: the total, then each reason with its count and first sample. */
    public String skippedSummary() {
        StringBuilder sb = new StringBuilder();
        Map<String, Long> sk = skipped();
        sb.append("skipped: ").append(totalSkipped()).append('\n');
        Map<String, String> sm = samples();
        sk.forEach((k, v) -> {
            sb.append(String.format("  %-34s %d", k, v));
            if (sm.containsKey(k)) {
                sb.append("   e.g. ").append(sm.get(k));
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    public long totalSkipped() {
        return skipped.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * {@code s} safe to print: control characters (a bad line may carry terminal escapes) written as
     * {@code \xNN}, and cut at 120 characters.
     */
    static String abbreviate(String s) {
        String t = s.strip();
        if (t.length() > 120) {
            t = t.substring(0, 117) + "...";
        }
        StringBuilder out = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(t.length() + 16).append(t, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? t : out.toString();
    }
}
