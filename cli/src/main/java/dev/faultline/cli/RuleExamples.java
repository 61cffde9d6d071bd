package dev.faultline.cli;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.CelRule;
import dev.faultline.analyser.rules.Example;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.OfflineAnalyser;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.events.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs rule-file examples: each example's trace goes through the collector pipeline and the
 * analyser topology (offline) with only its rule enabled, and must raise exactly the alerts it says.
 */
public final class RuleExamples {

    /** One example's outcome; {@code problem} is null when it passed. */
    public record Result(String rule, Example example, int alerts, String problem) {
        public boolean passed() {
            return problem == null;
        }
    }

    private RuleExamples() {
    }

    public static List<Result> run(RuleSet rules) {
        List<Result> out = new ArrayList<>();
        for (CelRule rule : rules.rules().values()) {
            for (Example x : rule.examples()) {
                out.add(run(rules, rule.id(), x));
            }
        }
        return out;
    }

    public static Result run(RuleSet rules, String ruleId, Example x) {
        CollectorStats stats = new CollectorStats();
        List<Alert> alerts;
        try (OfflineAnalyser analyser = new OfflineAnalyser(rules.only(ruleId))) {
            TracePipeline p = new TracePipeline(HostContext.replay("example"), new EventSink() {
                @Override
                public void accept(Event e) {
                    analyser.process(e);
                }
            }, stats);
            x.trace().lines().forEach(p::accept);
            p.finish();
            alerts = AlertFolder.latestPerId(analyser.drainAlerts());
        }
        String problem = null;
        long bad = stats.skipped().entrySet().stream().filter(e -> e.getKey().startsWith("malformed")
                || e.getKey().startsWith("bad-payload")).mapToLong(e -> e.getValue()).sum();
        if (bad > 0) {
            problem = bad + " trace line(s) did not parse: " + stats.samples();
        } else if (alerts.size() != x.fires()) {
            problem = "expected " + x.fires() + " alert(s), got " + alerts.size()
                    + (alerts.isEmpty() ? "" : ": " + alerts.get(0).getMessage());
        } else if (x.gfn() != null && !alerts.isEmpty()) {
            Alert a = alerts.get(0);
            if (a.getGfnStart() == null || a.getGfnStart() != x.gfn()[0] || a.getGfnEnd() != x.gfn()[1]) {
                problem = "expected GFNs 0x" + Long.toHexString(x.gfn()[0]) + "..0x" + Long.toHexString(x.gfn()[1])
                        + ", got " + hex(a.getGfnStart()) + ".." + hex(a.getGfnEnd());
            }
        }
        return new Result(ruleId, x, alerts.size(), problem);
    }

    private static String hex(Long v) {
        return v == null ? "none" : "0x" + Long.toHexString(v);
    }
}
