package dev.faultline.collector.loss;

import dev.faultline.events.LossReason;

/**
 * Where events lost before they became events are reported: by a source (ring-buffer overruns, drops) or by a
 * publisher (a full spool). Below both, so neither depends on the other; the pipeline turns each into a TraceLoss.
 */
@FunctionalInterface
public interface LossSink {
    void loss(int cpu, long count, LossReason reason);
}
