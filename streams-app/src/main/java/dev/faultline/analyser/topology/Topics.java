package dev.faultline.analyser.topology;

/** Topic names: a contract with the collector, the sinks and users' consumers. */
public final class Topics {
    public static final String EVENTS = "faultline.events";
    public static final String ALERTS = "faultline.alerts";

    private Topics() {
    }
}
