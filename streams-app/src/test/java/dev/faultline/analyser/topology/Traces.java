package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.events.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: trace text → collector pipeline → the analyser topology in the test driver → alerts. */
public final class Traces {
    static final Path RULES = Path.of("../rules");

    private Traces() {
    }

    public static List<Event> events(List<String> lines) {
        List<Event> out = new ArrayList<>();
        TracePipeline p = new TracePipeline(HostContext.replay("lab"), new EventSink() {
            @Override
            public void accept(Event e) {
                out.add(e);
            }
        }, new CollectorStats());
        lines.forEach(p::accept);
        p.finish();
        return out;
    }

    /** The alerts of one shipped rule, run alone (as its examples are). */
    public static List<Alert> alerts(String rule, String... lines) {
        return analyse(RuleSet.load(RULES).only(rule), events(List.of(lines)));
    }

    /** The alerts of every shipped rule. */
    public static List<Alert> alerts(Path trace) throws IOException {
        return analyse(RuleSet.load(RULES), events(Files.readAllLines(trace)));
    }

    public static List<Alert> analyse(RuleSet rules, List<Event> events) {
        try (OfflineAnalyser a = new OfflineAnalyser(rules)) {
            events.forEach(a::process);
            return a.drainAlerts();
        }
    }

    /** A line of process qemu (tgid 100) on thread {@code tid}. */
    public static String line(int tid, String ts, String event) {
        return "qemu-" + tid + "   (  100) [000] ..... " + ts + ": " + event;
    }
}
