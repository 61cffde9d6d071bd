package dev.faultline.analyser.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.faultline.alerts.Priority;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The webhook against a real HTTP receiver on loopback that checks the signature as a user would. */
class WebhookSinkTest {

    @Test
    void signsTheBodyTheReceiverGets() throws Exception {
        List<String> verified = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(204);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String sig = ex.getRequestHeaders().getFirst(WebhookSink.SIGNATURE_HEADER);
            String expected = "sha256=" + WebhookSink.sign("s3cret".getBytes(StandardCharsets.UTF_8), body);
            if (expected.equals(sig)) {
                verified.add(new String(body, StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
            new WebhookSink(url, "s3cret").deliver(TestAlerts.alert("a1", "r1", Priority.CRITICAL));
            assertThat(verified).hasSize(1);
            JsonNode j = new ObjectMapper().readTree(verified.get(0));
            assertThat(j.get("rule").asText()).isEqualTo("r1");
            assertThat(j.get("alert_id").asText()).isEqualTo("a1");
            assertThat(j.get("gfn_start").asText()).isEqualTo("0x200");

            new WebhookSink(url, "wrong-secret").deliver(TestAlerts.alert("a2", "r1", Priority.CRITICAL));
            assertThat(verified).as("a body signed with another secret does not verify").hasSize(1);

            status.set(503);
            assertThatThrownBy(() -> new WebhookSink(url, "s3cret").deliver(TestAlerts.alert("a3", "r1", Priority.CRITICAL)))
                    .isInstanceOf(IOException.class).hasMessageContaining("HTTP 503");
        } finally {
            server.stop(0);
        }
    }
}
