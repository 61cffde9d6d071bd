package dev.faultline.api;

import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkChannel;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the API reads: the analyser's state (interactive queries), the rules it runs now, and its
 * sinks' delivery counters (empty when alerts are not routed to sinks here), and the Prometheus
 * exposition text (null: no /metrics).
 */
public record Sources(StateQueries queries, Supplier<RuleSet> rules, Supplier<List<SinkChannel.Stats>> sinks,
        Supplier<String> metrics) {
}
