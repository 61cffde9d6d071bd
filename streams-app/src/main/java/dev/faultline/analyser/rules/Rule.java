package dev.faultline.analyser.rules;

import dev.faultline.analyser.enrich.EnrichedEvent;
import java.util.Optional;

/**
 * A check of one enriched event against the private-memory contract. Rule ids are a contract
 * (SPEC 4): tests, dashboards and users' alert routing depend on them.
 */
public interface Rule {

    String id();

    /** A finding when the event violates the rule; evaluated against the state before the event. */
    Optional<Finding> evaluate(EnrichedEvent e);
}
