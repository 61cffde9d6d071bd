package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Topics;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md §8, alert delivery: exactly once on faultline.alerts, at least once to the sinks. Both sinks (a
 * signed webhook, a real Alertmanager) are down while the analyser finds a simulated host's violations,
 * so every alert waits in the sinks' queues and retries; the analyser is killed with SIGKILL. With the
 * sinks back, a new analyser sends every alert on the topic, because the killed one committed no alert
 * its sinks had not finished with. The webhook may get an alert twice (X-Faultline-Alert-Id tells it so);
 * Alertmanager holds each alert once, told apart by its alert_id label.
 */
class AlertDeliveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @Test
    void alertsQueuedWhenTheAnalyserDiesAreSentByTheNextOne() throws Exception {
        RuleSet rules = RuleSet.load(Path.of("../rules"));
        Path trace = AlertOracle.simulatedTrace(dir.resolve("deliver.trace"), 13, 6, 20_000, rules.rules().keySet(), 100);
        Path home = Distribution.unpack(Files.createDirectory(dir.resolve("install")));

        AtomicBoolean webhookUp = new AtomicBoolean(false);
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            if (webhookUp.get()) {
                received.computeIfAbsent(ex.getRequestHeaders().getFirst("X-Faultline-Alert-Id"), k -> new AtomicInteger())
                        .incrementAndGet();
                ex.sendResponseHeaders(200, -1);
            } else {
                refused.incrementAndGet();
                ex.sendResponseHeaders(503, -1);
            }
            ex.close();
        });
        webhook.start();
        int amPort = Alertmanager.freePort();
        Path sinks = Files.writeString(dir.resolve("sinks.yaml"), """
                - sink: webhook
                  url: http://127.0.0.1:%d/hook
                  secret: not-a-secret
                  retry: {attempts: 100000, initial_backoff: 100ms, max_backoff: 1s}
                - sink: alertmanager
                  url: http://127.0.0.1:%d
                  retry: {attempts: 100000, initial_backoff: 100ms, max_backoff: 1s}
                """.formatted(webhook.getAddress().getPort(), amPort));
        List<String> withSinks = List.of("--sinks", sinks.toString());
        try (KafkaCluster kafka = TestKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            Set<String> ids;
            try (AnalyserProcess first = AnalyserProcess.start(home, "first", bootstrap, dir.resolve("first"), Map.of(), withSinks)) {
                LocalPipeline.replay(bootstrap, trace.toString(), "deliver");
                AlertOracle.awaitCommitted(bootstrap, Long.MAX_VALUE, Duration.ofMinutes(3));
                List<Alert> onTopic = alertsOnTheTopic(bootstrap);
                ids = new HashSet<>(onTopic.stream().map(Alert::getAlertId).toList());
                assertThat(ids).hasSizeGreaterThan(20);
                awaitSinks(first, onTopic.size());
                first.kill();
            }
            System.out.println("AlertDeliveryIT: " + ids.size() + " alerts on the topic; the webhook refused " + refused.get()
                    + " attempts while down");

            webhookUp.set(true);
            try (Alertmanager am = Alertmanager.start(Files.createDirectory(dir.resolve("am")), amPort);
                    AnalyserProcess second = AnalyserProcess.start(home, "second", bootstrap, dir.resolve("second"), Map.of(),
                            withSinks)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!received.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                    assertThat(second.alive()).as(second.tail()).isTrue();
                    Thread.sleep(200);
                }
                assertThat(received.keySet()).as("every alert reached the webhook").containsAll(ids);
                assertThat(received.keySet()).as("and nothing else").isSubsetOf(ids);
                int deliveries = received.values().stream().mapToInt(AtomicInteger::get).sum();
                System.out.println("AlertDeliveryIT: webhook deliveries " + deliveries + " for " + ids.size()
                        + " alert ids (at least once; updates of a folded alert re-use its id)");

                Set<String> inAlertmanager = new HashSet<>();
                long amDeadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (!inAlertmanager.containsAll(ids) && System.nanoTime() < amDeadline) {
                    inAlertmanager.clear();
                    JsonNode alerts = JSON.readTree(am.get("/api/v2/alerts").body());
                    alerts.forEach(a -> inAlertmanager.add(a.get("labels").get("alert_id").asText()));
                    Thread.sleep(500);
                }
                assertThat(inAlertmanager).as("every alert in Alertmanager, once").isEqualTo(ids);
            }
        } finally {
            webhook.stop(0);
        }
    }

    /** Until both sinks of {@code p} have taken every alert record into their queues and delivered none. */
    private static void awaitSinks(AnalyserProcess p, int records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JsonNode sinks = JSON.readTree(p.get("/api/sinks").body());
            boolean allQueued = sinks.size() == 2;
            for (JsonNode s : sinks) {
                assertThat(s.get("delivered").asLong()).as(s.toString()).isZero();
                allQueued &= s.get("accepted").asLong() >= records && s.get("failedAttempts").asLong() > 0;
            }
            if (allQueued) {
                return;
            }
            assertThat(System.nanoTime()).as("sinks never held every alert: %s", sinks).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static List<Alert> alertsOnTheTopic(String bootstrap) {
        return TopicReader.values(bootstrap, Topics.ALERTS, AvroSerde.alerts().deserializer());
    }
}
