package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.testkit.LocalCluster;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two analyser instances on the real in-process broker, each with its own state and API: any
 * instance answers for every VM (forwarding to the owner), as-of queries work through the hop,
 * and when one instance stops, the other answers 503 while the partitions move, then everything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryRoutingIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int VMS = 8;
    static LocalCluster cluster;
    static final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = TestKafka.cluster(2, RuleSet.load(ROOT.resolve("rules")));
        for (int i = 0; i < VMS; i++) {
            cluster.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "host-" + i);
            ids.add("host-" + i + "/4242/12@100.000026");
        }
        cluster.awaitProcessed(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static HttpResponse<String> get(int instance, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.instances().get(instance).url() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String q(String vm) {
        return URLEncoder.encode(vm, StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void everyInstanceListsEveryVm() throws Exception {
        for (int instance = 0; instance < 2; instance++) {
            HttpResponse<String> r = get(instance, "/api/vms");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<String> listed = new ArrayList<>();
            JSON.readTree(r.body()).forEach(n -> listed.add(n.get("id").asText()));
            assertThat(listed).as("instance %d", instance).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    @Order(2)
    void everyInstanceAnswersForEveryVmAndTheOwnerAnswersItself() throws Exception {
        Set<Integer> owners = new HashSet<>();
        for (String vm : ids) {
            int servedLocally = 0;
            for (int instance = 0; instance < 2; instance++) {
                HttpResponse<String> r = get(instance, "/api/vm?vm=" + q(vm));
                assertThat(r.statusCode()).as(vm + " on instance " + instance + ": " + r.body()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("id").asText()).isEqualTo(vm);
                if (r.headers().firstValue("X-Faultline-Served-By").isEmpty()) {
                    servedLocally++;
                    owners.add(instance);
                } else {
                    String other = "127.0.0.1:" + cluster.instances().get(1 - instance).port();
                    assertThat(r.headers().firstValue("X-Faultline-Served-By")).hasValue(other);
                }
            }
            assertThat(servedLocally).as("exactly one instance owns " + vm).isEqualTo(1);
        }
        assertThat(owners).as("both instances own VMs, so both forward").containsExactlyInAnyOrder(0, 1);
    }

    @Test
    @Order(3)
    void asOfQueryThroughTheHopSeesTheStateBeforeTheConversion() throws Exception {
        for (String vm : ids) {
            for (int instance = 0; instance < 2; instance++) {
                JsonNode before = JSON.readTree(get(instance, "/api/vm/gfn?vm=" + q(vm) + "&gfn=0x100&at=100.000700").body());
                JsonNode now = JSON.readTree(get(instance, "/api/vm/gfn?vm=" + q(vm) + "&gfn=0x100").body());
                assertThat(before.get("private").asBoolean()).as(vm).isTrue();
                assertThat(now.get("private").asBoolean()).as(vm).isFalse();
                int from = instance;
                // Alert counts are written with the VM's counters, within a second.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode alerts = JSON.readTree(get(from, "/api/vm/alerts?vm=" + q(vm)).body());
                    assertThat(alerts.get("total").asLong()).isEqualTo(2);
                    assertThat(alerts.get("alerts")).hasSize(2);
                });
            }
        }
    }

    @Test
    @Order(4)
    void unknownVmAndBadQueriesGetTheSameErrorsOnEitherInstance() throws Exception {
        for (int instance = 0; instance < 2; instance++) {
            HttpResponse<String> unknown = get(instance, "/api/vm?vm=nosuch/1/1@0.1");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("no VM 'nosuch/1/1@0.1'");
            for (String vm : ids) {
                HttpResponse<String> bad = get(instance, "/api/vm/gfn?vm=" + q(vm) + "&gfn=zz");
                assertThat(bad.statusCode()).isEqualTo(400);
            }
        }
    }

    /** Instance 1 stops: while its partitions move the answers are 503 or 200, never wrong; then all 200 from 0. */
    @Test
    @Order(5)
    void whenAnInstanceStopsTheOtherTakesOverAndSays503Meanwhile() throws Exception {
        LocalCluster.Instance leaving = cluster.instances().get(1);
        leaving.app().close(); // its API stays up, as during a rolling restart
        HttpResponse<String> self = get(1, "/api/vm?vm=" + q(ids.get(0)));
        assertThat(self.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(self.body()).get("error").asText()).contains("analyser is");
        assertThat(get(1, "/ready").statusCode()).isEqualTo(503);
        Set<Integer> seen = new HashSet<>();
        List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String vm : ids) {
                HttpResponse<String> r = get(0, "/api/vm?vm=" + q(vm));
                seen.add(r.statusCode());
                if (r.statusCode() != 200 && r.statusCode() != 503) {
                    wrong.add(r.statusCode() + " " + r.body());
                }
                assertThat(r.statusCode()).as(vm + ": " + r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("X-Faultline-Served-By")).as("answered by instance 0 itself").isEmpty();
            }
        });
        assertThat(wrong).as("only 200 and 503 while the partitions moved").isEmpty();
        System.err.println("QueryRoutingIT: statuses seen while instance 1 left: " + seen);
    }
}
