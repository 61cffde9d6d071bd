package dev.faultline.analyser.rules;

import dev.faultline.alerts.Priority;
import dev.faultline.host.HostFeature;
import java.util.List;
import java.util.Set;

/**
 * A rule's entry in a rules/*.yaml file: what it means, how loud it is, and what a host must offer for its
 * events to occur there when collected live ({@code requires}; {@code faultline doctor} reads it).
 */
public record RuleMeta(String id, String desc, Priority priority, List<String> tags, boolean enabled, String file,
        Set<HostFeature> requires) {

    /** The same rule, switched on. */
    public RuleMeta enabledCopy() {
        return new RuleMeta(id, desc, priority, tags, true, file, requires);
    }
}
