package dev.faultline.analyser;

import java.nio.file.Path;
import java.util.Map;

/**
 * What an {@link Analyser} is made of. `faultline analyse` maps its options to one.
 *
 * @param clientProperties Kafka client properties (security, ...), passed through unchanged
 * @param rulesDir rule files, reloaded when they change
 * @param sinksFile alert sinks (docs/sinks.md), or null: alerts stay on faultline.alerts
 * @param applicationServer this instance's query API as the others reach it (HOST:PORT), or null when alone
 */
public record AnalyserConfig(String bootstrapServers, Map<String, String> clientProperties, Path stateDir, Path rulesDir,
        Path sinksFile, String applicationServer) {
}
