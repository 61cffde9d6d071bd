package dev.faultline.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.Replay;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class CollectorMetricsTest {

    @Test
    void servesWhatTheCollectorCounted() throws Exception {
        Replay r = Replay.file(Replay.shared().resolve("fixtures/real/gmem_create_bind_punch.trace"));
        Replay loss = Replay.lines("CPU:1 [LOST 7 EVENTS]");
        try (CollectorMetrics m = new CollectorMetrics(r.stats, null).serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("faultline_collector_lines_total 2408.0")
                    .contains("faultline_collector_events_total{type=\"GmemPageAdded\"} 82.0")
                    .contains("faultline_collector_skipped_total{reason=\"filemap-not-gmem\"} 6.0")
                    .contains("faultline_collector_unsupported_total{event=\"kvm_mmu_paging_element\"} 1296.0");
        }
        try (CollectorMetrics m = new CollectorMetrics(loss.stats, null)) {
            assertThat(m.scrape()).contains("faultline_collector_lost_events_total{reason=\"LOST_EVENTS\"} 7.0");
        }
    }
}
