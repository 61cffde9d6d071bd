package dev.faultline.bench;

import dev.faultline.testkit.LocalCluster;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Query latency against one instance of a {@link LocalCluster}: the same mix of questions about
 * VMs that instance owns (answered locally) and VMs another instance owns (forwarded), one client,
 * one request at a time, so a figure is a request's own latency.
 */
final class QueryLoad {
    /** The questions asked of each VM, in turn. */
    static final List<String> QUESTIONS = List.of("/api/vm?vm=%s", "/api/vm/gfn?vm=%s&gfn=0x200",
            "/api/vm/gfn?vm=%s&gfn=0x100&at=100.000700", "/api/vm/ranges?vm=%s&first=0xf0&last=0x11f",
            "/api/vm/alerts?vm=%s&limit=10");

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    QueryLoad(String base) {
        this.base = base;
    }

    /** Latencies in ns of {@code n} requests about {@code vms}; throws on any answer but 200. */
    long[] run(List<String> vms, int n) throws IOException, InterruptedException {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            String vm = URLEncoder.encode(vms.get(i % vms.size()), StandardCharsets.UTF_8);
            String q = QUESTIONS.get((i / vms.size()) % QUESTIONS.size()).formatted(vm);
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + q)).GET().build();
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            out[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                throw new IOException(q + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        return out;
    }

    /** Whether {@code vm} is answered by the instance at {@code base} itself (no forwarding hop). */
    boolean isLocal(String vm) throws IOException, InterruptedException {
        String q = "/api/vm?vm=" + URLEncoder.encode(vm, StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + q)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(q + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.headers().firstValue("X-Faultline-Served-By").isEmpty();
    }

    /** Percentile {@code p} (0..100) of latencies, in ms. */
    static double percentileMs(long[] ns, double p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }

    /** Splits VM ids into those the instance answers itself and those it forwards. */
    record Split(List<String> local, List<String> forwarded) {
    }

    Split split(List<String> vms) throws IOException, InterruptedException {
        List<String> local = new ArrayList<>();
        List<String> forwarded = new ArrayList<>();
        for (String vm : vms) {
            (isLocal(vm) ? local : forwarded).add(vm);
        }
        return new Split(local, forwarded);
    }
}
