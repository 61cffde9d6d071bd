package dev.faultline.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/faultline analyse} of the unpacked archive as a process of its own, as an operator runs it:
 * its own JVM, state directory and query port. {@link #kill} is SIGKILL: no shutdown hook, no close, no
 * last commit; the launcher execs the JVM, so the signal reaches the analyser itself.
 */
final class AnalyserProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    final int port;
    final Path log;
    private final Process process;

    private AnalyserProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts an analyser on {@code bootstrapServers}, its state in {@code stateDir}, with extra Kafka client and
     * Streams properties ({@code -X KEY=VALUE}). Output goes to {@code <stateDir>.log}.
     */
    static AnalyserProcess start(Path home, String name, String bootstrapServers, Path stateDir, Map<String, String> props)
            throws IOException {
        return start(home, name, bootstrapServers, stateDir, props, List.of());
    }

    /** The same with more options of {@code analyse} (e.g. --sinks FILE). */
    static AnalyserProcess start(Path home, String name, String bootstrapServers, Path stateDir, Map<String, String> props,
            List<String> options) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/faultline").toString(), "analyse",
                "--bootstrap-servers", bootstrapServers, "--state-dir", stateDir.toString(),
                "--http-port", Integer.toString(port), "--application-server", "127.0.0.1:" + port));
        cmd.addAll(options);
        props.forEach((k, v) -> {
            cmd.add("-X");
            cmd.add(k + "=" + v);
        });
        Path log = stateDir.resolveSibling(stateDir.getFileName() + "-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // FAULTLINE_IT_ANALYSER_OPTS: more JVM options for the analysers, e.g. -Dlogback.configurationFile=F
        pb.environment().put("FAULTLINE_JAVA_OPTS", ("-Xmx768m " + System.getenv().getOrDefault("FAULTLINE_IT_ANALYSER_OPTS", "")).trim());
        return new AnalyserProcess(name, port, log, pb.start());
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** GET on this instance's query API; status -1 when it does not answer at all. */
    Answer get(String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, e.toString());
        }
    }

    record Answer(int status, String body) {
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The last lines of its output, for a failure message. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A copy of its whole output in target/analyser-logs (the state directory is a test's temporary one). */
    Path keepLog() {
        try {
            Path kept = Path.of("target/analyser-logs").resolve(log.getFileName());
            Files.createDirectories(kept.getParent());
            return Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING).toAbsolutePath();
        } catch (IOException e) {
            return log;
        }
    }

    /** SIGTERM (the analyser closes cleanly), SIGKILL if it has not ended within 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
