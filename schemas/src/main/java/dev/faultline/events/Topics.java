package dev.faultline.events;

import java.util.Map;

/**
 * Faultline's topics, named once for every module: a contract between the collector, the analyser, the sinks
 * and users' consumers. Beside the records they carry.
 */
public final class Topics {
    public static final String EVENTS = "faultline.events";
    public static final String ALERTS = "faultline.alerts";
    /** Records the analyser could not decode or process, with the reason in __streams.errors.* headers (KIP-1034). */
    public static final String DEAD_LETTERS = "faultline.events.dlq";
    /** Partitions each topic gets where Faultline creates them itself (the demo, tests, docker-compose.yml). */
    public static final Map<String, Integer> PARTITIONS = Map.of(EVENTS, 6, ALERTS, 3, DEAD_LETTERS, 1);

    private Topics() {
    }
}
