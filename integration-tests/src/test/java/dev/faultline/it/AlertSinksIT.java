package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.analyser.sinks.WebhookSink;
import dev.faultline.testkit.LocalPipeline;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario's alerts reach a real Alertmanager (visible through its API, labels rule/vm/priority/
 * host) and a real webhook receiver that verifies the HMAC-SHA256 signature of each body.
 */
class AlertSinksIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String SECRET = "it-webhook-secret";

    @Test
    void alertsReachAlertmanagerAndTheSignedWebhook(@TempDir Path tmp) throws Exception {
        List<JsonNode> verified = new CopyOnWriteArrayList<>();
        List<String> rejected = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String sig = ex.getRequestHeaders().getFirst(WebhookSink.SIGNATURE_HEADER);
            if (("sha256=" + WebhookSink.sign(SECRET.getBytes(StandardCharsets.UTF_8), body)).equals(sig)) {
                verified.add(new ObjectMapper().readTree(body));
                ex.sendResponseHeaders(204, -1);
            } else {
                rejected.add(sig);
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        receiver.start();
        try (Alertmanager am = Alertmanager.start(tmp)) {
            Path sinks = Files.writeString(tmp.resolve("sinks.yaml"), """
                    - sink: alertmanager
                      url: %s
                    - sink: webhook
                      url: http://127.0.0.1:%d/hook
                      secret: %s
                      min_priority: warning
                    - sink: log
                    """.formatted(am.url, receiver.getAddress().getPort(), SECRET));
            List<Alert> seen = new CopyOnWriteArrayList<>();
            try (LocalPipeline pipeline = TestKafka.pipeline(RuleSet.load(ROOT.resolve("rules")), seen::add,
                    SinkConfig.load(sinks))) {
                pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "sink-host");
                pipeline.awaitProcessed(Duration.ofSeconds(120));
                long deadline = System.currentTimeMillis() + 30_000;
                List<String> amRules = List.of();
                while (System.currentTimeMillis() < deadline && (verified.size() < 2 || amRules.size() < 2)) {
                    Thread.sleep(200);
                    amRules = alertmanagerRules(am);
                }
                assertThat(amRules).containsExactlyInAnyOrder("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
                JsonNode first = new ObjectMapper().readTree(am.get("/api/v2/alerts").body()).get(0);
                assertThat(first.get("labels").get("vm").asText()).isEqualTo("sink-host/4242/12@100.000026");
                assertThat(first.get("labels").get("host").asText()).isEqualTo("sink-host");
                assertThat(first.get("labels").has("priority")).isTrue();
                assertThat(first.get("annotations").get("alert_id").asText()).isNotBlank();

                assertThat(rejected).isEmpty();
                assertThat(verified).extracting(j -> j.get("rule").asText())
                        .containsExactlyInAnyOrder("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
                assertThat(pipeline.sinkStats()).allSatisfy(s -> {
                    assertThat(s.delivered()).as(s.name()).isEqualTo(2);
                    assertThat(s.droppedFull() + s.droppedGaveUp()).isZero();
                });
            }
        } finally {
            receiver.stop(0);
        }
    }

    static List<String> alertmanagerRules(Alertmanager am) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode a : new ObjectMapper().readTree(am.get("/api/v2/alerts").body())) {
            out.add(a.get("labels").get("rule").asText());
        }
        return out;
    }
}
