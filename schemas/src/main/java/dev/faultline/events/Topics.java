package dev.faultline.analyser.topology;

/** Topic names: a contract with the collector, the sinks and users' consumers. */
public final class Topics {
    public static final String EVENTS = "faultline.events";
    public static final String ALERTS = "faultline.alerts";
    /** Records the analyser could not decode or process, with the reason in __streams.errors.* headers (KIP-1034). */
    public static final String DEAD_LETTERS = "faultline.events.dlq";

    private Topics() {
    }
}
