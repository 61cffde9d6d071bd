package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.api.ApiServer;
import dev.faultline.cli.LocalPipeline;
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
        pipeline = LocalPipeline.start(RuleSet.load(ROOT.resolve("rules")), a -> { });
        pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "it-host");
        pipeline.awaitProcessed(Duration.ofSeconds(120));
        api = new ApiServer(pipeline.queries(), "127.0.0.1", 0, TOKEN);
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
        "/api/vm?vm=nosuch/1/1@0.1|404|no VM 'nosuch/1/1@0.1'",
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
}
