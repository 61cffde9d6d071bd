package dev.faultline.analyser.rules;

import dev.faultline.analyser.enrich.EnrichedEvent;
import java.util.List;

/**
 * A check of one enriched event against the private-memory contract. Rule ids are a contract
 * (docs/design.md §7): tests, dashboards and users' alert routing depend on them.
 */
public interface Rule {

    String id();

    /**
     * Whether an event of this Avro record type (e.g. "Mmio") can concern the rule at all: match its
     * condition, or change or close what it remembers. Asked once per type; events of other types skip it.
     */
    boolean concerns(String eventType);

    /**
     * Findings for this event, evaluated against the state before it: usually none or one; a
     * time-aware rule may also report earlier events whose window this event closed.
     */
    List<Finding> evaluate(EnrichedEvent e, RuleMemory memory);
}
