package dev.faultline.collector.source.ring;

/** {@code count} events (at least one) lost on {@code cpu} before the records that follow: a page's flag or count. */
public record RingLoss(int cpu, long count) {
}
