package dev.faultline.it;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.testkit.LocalCluster;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.kafka.KafkaCluster;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The cluster an integration test runs on: the in-process broker by default, a Kafka container with
 * {@code -Dkafka.backend=testcontainers} (the pom's second failsafe run does that for the pipeline and query
 * tests).
 */
final class TestKafka {
    static final String BACKEND = System.getProperty("kafka.backend", "embedded");

    private TestKafka() {
    }

    static KafkaCluster start() {
        return switch (BACKEND) {
            case "embedded" -> EmbeddedKafka.start();
            case "testcontainers" -> ContainerKafka.start();
            default -> throw new IllegalArgumentException(
                    "-Dkafka.backend=" + BACKEND + ": expected embedded or testcontainers");
        };
    }

    /** The whole local pipeline (analyser, alert watcher) on this backend. */
    static LocalPipeline pipeline(RuleSet rules, Consumer<Alert> onAlert) throws IOException {
        return pipeline(rules, onAlert, List.of());
    }

    static LocalPipeline pipeline(RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks) throws IOException {
        return LocalPipeline.start(start(), rules, onAlert, sinks);
    }

    /** {@code n} analyser instances with their query APIs on this backend. */
    static LocalCluster cluster(int n, RuleSet rules) {
        return LocalCluster.start(start(), n, rules);
    }
}
