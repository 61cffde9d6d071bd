package dev.faultline.it;

import static org.assertj.core.api.Assertions.fail;

import dev.faultline.collector.source.tracefs.KernelFeatures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) started on loopback for a test.
 * Where the binary is missing the test is skipped, loudly; under CI (CI=true) it fails instead,
 * because CI installs it (.ci/run) and must run the test.
 */
final class Alertmanager implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private final Process process;
    final URI url;

    private Alertmanager(Process process, URI url) {
        this.process = process;
        this.url = url;
    }

    static Alertmanager start(Path dir) throws Exception {
        return start(dir, freePort());
    }

    /** A free loopback port to start one on later (a sink may be pointed at it before it runs). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Alertmanager start(Path dir, int port) throws Exception {
        KernelFeatures.requireTool(Files.isExecutable(BINARY), "Alertmanager at " + BINARY + " (apt-get install prometheus-alertmanager)");
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: 'null'
                  group_wait: 0s
                receivers:
                  - name: 'null'
                """);
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        Alertmanager am = new Alertmanager(p, URI.create("http://127.0.0.1:" + port));
        am.awaitReady(dir);
        return am;
    }

    private void awaitReady(Path dir) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                fail("Alertmanager exited: " + Files.readString(dir.resolve("alertmanager.log")));
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("Alertmanager not ready: " + Files.readString(dir.resolve("alertmanager.log")));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Stops it and waits: on SIGTERM Alertmanager writes its notification log and silences into its storage
     * directory, and a test's temporary directory deleted meanwhile fails to delete ("data" not empty).
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
