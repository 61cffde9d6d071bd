package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import dev.faultline.testkit.LocalPipeline;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The query API over HTTP, answering from the analyser's state on the real in-process broker after
 * the demo scenario: VM list, summary, GFN attributes now and as of a time, ranges, and clear 4xx
 * answers for bad queries.
 */
class QueryApiIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String VM = "it-host/4242/12@100.000026";
    static final String TOKEN = "s3cret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalPipeline pipeline;
    static ApiServer api;

    @BeforeAll
    static void run() throws Exception {
        pipeline = TestKafka.pipeline(RuleSet.load(ROOT.resolve("rules")), a -> { });
        pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "it-host");
        pipeline.awaitProcessed(Duration.ofSeconds(120));
        RuleSet rules = RuleSet.load(ROOT.resolve("rules"));
        api = new ApiServer(new Sources(pipeline.queries(), () -> rules, pipeline::sinkStats, pipeline::scrapeMetrics),
                "127.0.0.1", 0, TOKEN);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    static HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(pathAndQuery, TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    static String vm() {
        return URLEncoder.encode(VM, StandardCharsets.UTF_8);
    }

    @Test
    void listsTheScenarioVm() throws Exception {
        JsonNode vms = ok("/api/vms");
        assertThat(vms).hasSize(1);
        assertThat(vms.get(0).get("id").asText()).isEqualTo(VM);
        assertThat(vms.get(0).get("type").asText()).isEqualTo("SEV_SNP");
        assertThat(vms.get(0).get("memslots").asInt()).isEqualTo(1);
    }

    @Test
    void summaryHasTheGmemBoundMemslot() throws Exception {
        JsonNode s = ok("/api/vm?vm=" + vm());
        assertThat(s.get("host").asText()).isEqualTo("it-host");
        assertThat(s.get("memslots")).singleElement().satisfies(m -> {
            assertThat(m.get("size").asLong()).isEqualTo(0x40000000L);
            assertThat(m.get("gmemFd").asInt()).isEqualTo(13);
        });
    }

    @Test
    void gfnNowAndBeforeTheConversionToShared() throws Exception {
        assertThat(ok("/api/vm/gfn?vm=" + vm() + "&gfn=0x100").get("private").asBoolean()).isFalse();
        assertThat(ok("/api/vm/gfn?vm=" + vm() + "&gfn=0x200").get("private").asBoolean()).isTrue();
        // The conversion of 0x100-0x10f to shared is at trace time 100.000754.
        JsonNode before = ok("/api/vm/gfn?vm=" + vm() + "&gfn=0x100&at=100.000700");
        assertThat(before.get("private").asBoolean()).isTrue();
        assertThat(before.get("memslot").asInt()).isZero();
        assertThat(ok("/api/vm/gfn?vm=" + vm() + "&gfn=0x100&at=100.000800").get("private").asBoolean()).isFalse();
    }

    @Test
    void rangesInAWindow() throws Exception {
        JsonNode r = ok("/api/vm/ranges?vm=" + vm() + "&first=0xf0&last=0x11f");
        assertThat(r.get("truncated").asBoolean()).isFalse();
        assertThat(r.get("ranges")).hasSize(2);
        assertThat(r.get("ranges").get(0).get("first").asText()).isEqualTo("0xf0");
        assertThat(r.get("ranges").get(0).get("last").asText()).isEqualTo("0xff");
        assertThat(r.get("ranges").get(1).get("first").asText()).isEqualTo("0x110");
        assertThat(r.get("ranges").get(1).get("private").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/api/vm/gfn?gfn=0x1|400|'vm' is required",
        "/api/vm/gfn?vm=VMID&gfn=zz|400|'gfn' is not a 64-bit GFN",
        "/api/vm/gfn?vm=VMID&gfn=0x10000000000000000|400|'gfn' is not a 64-bit GFN",
        "/api/vm/gfn?vm=VMID&gfn=0x1&at=yesterday|400|'at' is not a time",
        "/api/vm/ranges?vm=VMID&first=0x10&last=0x1|400|window is empty",
        "/api/vm/ranges?vm=VMID&first=0x10&last=0x20&at=-1|400|'at' is not a time",
        "/api/vm/alerts?vm=VMID&limit=0|400|'limit' must be a number from 1 to 200",
        "/api/vm/alerts?vm=VMID&limit=201|400|'limit' must be a number from 1 to 200",
        "/api/vm?vm=nosuch/1/1@0.1|404|no VM 'nosuch/1/1@0.1'",
        "/api/vm/alerts?vm=nosuch/1/1@0.1|404|no VM 'nosuch/1/1@0.1'",
        "/api/nothing|404|no such endpoint",
    })
    void badQueriesGetAJsonErrorThatSaysWhatIsWrong(String path, int status, String message) throws Exception {
        HttpResponse<String> r = get(path.replace("VMID", vm()), TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.get("status").asInt()).isEqualTo(status);
        assertThat(e.get("error").asText()).contains(message);
    }

    @Test
    void apiNeedsTheTokenButHealthDoesNot() throws Exception {
        assertThat(get("/api/vms", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/vms", "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void rangesAsOfATimeBeforeTheConversion() throws Exception {
        String window = "/api/vm/ranges?vm=" + vm() + "&first=0xf0&last=0x11f";
        JsonNode before = ok(window + "&at=100.000700");
        assertThat(before.get("at").asLong()).isEqualTo(100_000_700_000L);
        assertThat(before.get("ranges")).singleElement().satisfies(r -> {
            assertThat(r.get("first").asText()).isEqualTo("0xf0");
            assertThat(r.get("last").asText()).isEqualTo("0x11f");
            assertThat(r.get("private").asBoolean()).isTrue();
        });
        assertThat(ok(window + "&at=100.000800").get("ranges")).hasSize(2);
    }

    @Test
    void memslotsShowTheGmemBinding() throws Exception {
        JsonNode m = ok("/api/vm/memslots?vm=" + vm());
        assertThat(m.get("memslots")).singleElement().satisfies(slot -> {
            assertThat(slot.get("firstGfn").asText()).isEqualTo("0x0");
            assertThat(slot.get("lastGfn").asText()).isEqualTo("0x3ffff");
            assertThat(slot.get("gmemFd").asInt()).isEqualTo(13);
            assertThat(slot.get("gmemFirstPage").asText()).isEqualTo("0x0");
        });
        assertThat(m.get("gmem")).isNotEmpty();
    }

    @Test
    void alertsOfTheVmWithTheirEvidence() throws Exception {
        // The alerts are stored with the event that raised them; their counts within a second (with the VM's counters).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ok("/api/vm/alerts?vm=" + vm()).get("total").asLong()).isEqualTo(2));
        JsonNode a = ok("/api/vm/alerts?vm=" + vm());
        assertThat(a.get("total").asLong()).isEqualTo(2);
        assertThat(a.get("perRule").get("private-fault-emulated-mmio").asLong()).isEqualTo(1);
        assertThat(a.get("perRule").get("gmem-invalidation-outside-binding").asLong()).isEqualTo(1);
        assertThat(a.get("alerts")).hasSize(2).allSatisfy(alert -> {
            assertThat(alert.get("evidence_detail")).isNotEmpty();
            assertThat(alert.get("evidence_detail").get(0).get("summary").asText()).isNotBlank();
        });
        JsonNode mmio = a.get("alerts").findParents("rule").stream()
                .filter(n -> n.get("rule").asText().equals("private-fault-emulated-mmio")).findFirst().orElseThrow();
        assertThat(mmio.get("gfn_start").asText()).isEqualTo("0x200");
        assertThat(ok("/api/vm/alerts?vm=" + vm() + "&limit=1").get("alerts")).hasSize(1);
        assertThat(ok("/api/vms").get(0).get("alerts").asLong()).isEqualTo(2);
    }

    @Test
    void rulesAndSinks() throws Exception {
        JsonNode rules = ok("/api/rules");
        assertThat(rules.findValuesAsText("id")).contains("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
        assertThat(ok("/api/sinks").isArray()).isTrue();
    }

    /** Every route answers as the document says it exists, and every documented path is served. */
    @Test
    void openApiDocumentListsEveryEndpoint() throws Exception {
        JsonNode doc = ok("/api/openapi.json");
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        java.util.List<String> paths = new java.util.ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/api/vms", "/api/vm", "/api/vm/gfn", "/api/vm/ranges", "/api/vm/memslots",
                "/api/vm/alerts", "/api/rules", "/api/sinks", "/api/updates", "/health", "/ready", "/metrics");
        for (String p : paths) {
            if (p.equals("/api/updates")) {
                continue; // a stream: tested below
            }
            String q = p.startsWith("/api/vm/") || p.equals("/api/vm") ? "?vm=" + vm() + "&gfn=0x1&first=0x0&last=0x1" : "";
            assertThat(get(p + q, TOKEN).statusCode()).as(p).isEqualTo(200);
        }
    }

    @Test
    void dashboardAndMetricsAreServed() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Faultline");
        String metrics = get("/metrics", null).body();
        assertThat(metrics).contains("faultline_analyser_events_total{type=\"PageFault\"}",
                "faultline_analyser_alerts_total{rule=\"private-fault-emulated-mmio\"} 1.0",
                "faultline_analyser_store_entries{store=\"vm-state\"}",
                "kafka_consumer_fetch_manager_records_lag_max");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void liveUpdatesStreamTheVmList() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/updates?access_token="
                + TOKEN)).header("Accept", "text/event-stream").build();
        HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (java.util.stream.Stream<String> lines = r.body()) {
            java.util.Iterator<String> it = lines.iterator();
            String event = null;
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "vms".equals(event)) {
                    assertThat(JSON.readTree(line.substring(5)).get(0).get("id").asText()).isEqualTo(VM);
                    return;
                }
            }
        }
        throw new AssertionError("the stream ended without a vms event");
    }
}
