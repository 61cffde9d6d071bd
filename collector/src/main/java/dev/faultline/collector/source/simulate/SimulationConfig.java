package dev.faultline.collector.source.simulate;

import java.util.List;
import java.util.Set;

/**
 * What to simulate: how many VMs of which types, how many guest events in all, the seed, the pace,
 * and which rule ids to violate (each once, in VM {@code i % vms}).
 *
 * @param ratePerSecond lines per second, 0 for as fast as possible
 */
public record SimulationConfig(long seed, int vms, List<VmKind> types, long events, long ratePerSecond,
                               Set<String> inject) {

    public SimulationConfig {
        if (vms < 1) {
            throw new IllegalArgumentException("--vms must be at least 1");
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
