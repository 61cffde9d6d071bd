package dev.faultline.commandline;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Kafka client options shared by the commands: security and other client properties pass through unchanged. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "Kafka cluster to use.")
    public String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, ...), passed through unchanged.")
    Path configFile;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
            description = "One Kafka client property, passed through unchanged (repeatable; wins over --kafka-config).")
    Map<String, String> properties = new LinkedHashMap<>();

    public Map<String, String> clientProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        if (configFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(configFile)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + configFile + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        }
        out.putAll(properties);
        return out;
    }
}
