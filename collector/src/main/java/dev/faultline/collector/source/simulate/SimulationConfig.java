package dev.faultline.collector.source.simulate;

import java.util.List;
import java.util.Set;

/**
 * What to simulate: how many VMs of which types, how many guest events in all, the seed, the pace,
 * and which rule ids to violate (in VM {@code i % vms}): each once, two thirds into the run, or with
 * {@code injectEvery} one of them in turn every that many steps (a steady stream of violations, for load).
 *
 * @param ratePerSecond lines per second, 0 for as fast as possible
 */
public record SimulationConfig(long seed, int vms, List<VmKind> types, long events, long ratePerSecond,
                               Set<String> inject, long injectEvery) {

    public SimulationConfig(long seed, int vms, List<VmKind> types, long events, long ratePerSecond, Set<String> inject) {
        this(seed, vms, types, events, ratePerSecond, inject, 0);
    }

    /** Whether the simulator can violate this rule. */
    public static boolean canInject(String ruleId) {
        return Violations.KNOWN.contains(ruleId);
    }

    public SimulationConfig {
        if (vms < 1) {
            throw new IllegalArgumentException("--vms must be at least 1");
        }
        if (injectEvery < 0) {
            throw new IllegalArgumentException("injectEvery must be 0 (once) or a number of steps");
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException("give at least one VM type");
        }
        for (String id : inject) {
            if (!Violations.KNOWN.contains(id)) {
                throw new IllegalArgumentException("cannot inject '" + id + "': known rule ids are " + Violations.KNOWN);
            }
        }
    }
}
