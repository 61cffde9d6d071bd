package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml brought up for real on the local engine, with the images docker/images.sh builds here from
 * Debian's packages and Maven Central (no registry is reachable): Kafka, topic set-up, the collector capturing
 * this host's tracefs, two analysers, Alertmanager. A KVM workload on the host reaches both analysers (where the
 * host has /dev/kvm); a planted violation, a scenario replayed by {@code faultline collect} in a container,
 * reaches Alertmanager with the alerts {@code faultline check} finds; both analysers answer for every VM through
 * their published ports; {@code docker-compose down} leaves nothing behind.
 */
class ComposeIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path LOGS = Path.of("target/compose-it").toAbsolutePath();
    static final String PROJECT = "faultline-it";
    static final String HOST = "compose-it";
    static final String SCENARIO = "scenarios/demo-snp.trace";
    static final List<Integer> ANALYSER_PORTS = List.of(8081, 8082);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theComposedPipelineCapturesAnalysesAndAlerts() throws Exception {
        DockerEngine.requireCompose();
        KernelFeatures.requireRootAndTracefs();
        Files.createDirectories(LOGS);
        long started = System.nanoTime();
        run(List.of(ROOT.resolve("docker/images.sh").toString()), "images.log", 900);
        System.err.printf("ComposeIT: images ready in %.0f s%n", (System.nanoTime() - started) / 1e9);

        boolean kvm = Files.isWritable(Path.of("/dev/kvm"));
        List<String> compose = compose(kvm);
        boolean passed = false;
        try {
            long up = System.nanoTime();
            run(with(compose, "up", "-d", "--no-build"), "up.log", 300);
            await("both analysers ready and the collector serving metrics", 240, () ->
                    ANALYSER_PORTS.stream().allMatch(p -> status(p, "/ready") == 200) && status(9464, "/metrics") == 200);
            System.err.printf("ComposeIT: services up and ready in %.0f s%n", (System.nanoTime() - up) / 1e9);

            // the collector in its container reads this host's tracefs (the bpftrace helper's lines among them)
            await("the collector reading the host's trace lines", 60, () -> metric(9464, "faultline_collector_lines_total") > 0);
            if (kvm) {
                kvmWorkloadReachesBothAnalysers();
            } else {
                KernelFeatures.skippedAssertions(new KernelFeatures.Capability("/dev/kvm", false,
                        "this host has no KVM device"), "a KVM workload's VM reaching both analysers through the containerised collector");
            }

            plantedViolationReachesAlertmanager(compose);
            bothAnalysersAnswerForEveryVm();
            passed = true;
        } finally {
            if (!passed) {
                run(with(compose, "logs", "--no-color", "--tail", "300"), "services.log", 60);
                System.err.println("ComposeIT: the services' logs are in " + LOGS.resolve("services.log"));
            }
            run(with(compose, "down", "-v", "--remove-orphans"), "down.log", 180);
        }
        assertThat(lines(DockerEngine.DOCKER.toString(), "ps", "-aq", "--filter", "label=com.docker.compose.project=" + PROJECT))
                .as("containers left after down").isEmpty();
        assertThat(lines(DockerEngine.DOCKER.toString(), "volume", "ls", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT))
                .as("volumes left after down").isEmpty();
        assertThat(lines(DockerEngine.DOCKER.toString(), "network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT))
                .as("networks left after down").isEmpty();
    }

    /** The files users run: docker/compose.kvm.yml added where the host has /dev/kvm, as on a KVM host. */
    private static List<String> compose(boolean kvm) {
        List<String> c = new ArrayList<>(List.of(DockerEngine.COMPOSE.toString(), "-p", PROJECT, "-f", "docker-compose.yml"));
        if (kvm) {
            c.addAll(List.of("-f", "docker/compose.kvm.yml"));
        }
        c.addAll(List.of("--env-file", "docker/air-gapped.env"));
        return c;
    }

    private static void kvmWorkloadReachesBothAnalysers() throws Exception {
        Path workload = LiveCollector.workload(Files.createTempDirectory(LOGS, "workload"));
        Process p = new ProcessBuilder(workload.toString(), "10").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        String prefix = HOST + "/" + new Facts(out).value("pid") + "/";
        await("the workload's VM " + prefix + "* on both analysers", 120, () -> ANALYSER_PORTS.stream()
                .allMatch(port -> vmIds(port).stream().anyMatch(id -> id.startsWith(prefix))));
    }

    private static void plantedViolationReachesAlertmanager(List<String> compose) throws Exception {
        // the collector image carries the collector archive, which has no scenarios/: the trace is mounted, as an
        // operator's own would be
        run(with(compose, "run", "--rm", "--no-deps", "-e", "FAULTLINE_COLLECT_BPF=false",
                "-e", "FAULTLINE_COLLECT_SPOOL_DIR=/tmp/spool",
                "-v", ROOT.resolve("scenarios").toAbsolutePath().normalize() + ":/traces:ro", "collector",
                "--source", "replay:/traces/" + Path.of(SCENARIO).getFileName(), "--host", "planted"), "planted.log", 180);
        List<String> expected = AlertOracle.check(ROOT.resolve(SCENARIO)).keySet().stream()
                .map(k -> k.substring(0, k.indexOf('|'))).sorted().toList();
        assertThat(expected).as("faultline check finds the scenario's violations").isNotEmpty();
        await("Alertmanager holding the planted violation's alerts " + expected, 120,
                () -> alertmanagerRules().equals(expected));
        for (JsonNode a : JSON.readTree(get(9093, "/api/v2/alerts").body())) {
            assertThat(a.get("labels").get("vm").asText()).startsWith("planted/");
            assertThat(a.get("annotations").get("alert_id").asText()).isNotBlank();
        }
    }

    private static void bothAnalysersAnswerForEveryVm() throws Exception {
        List<String> ids = vmIds(ANALYSER_PORTS.get(0));
        assertThat(ids).anyMatch(id -> id.startsWith("planted/"));
        assertThat(vmIds(ANALYSER_PORTS.get(1))).as("both analysers list every VM").isEqualTo(ids);
        for (int port : ANALYSER_PORTS) {
            for (String id : ids) {
                HttpResponse<String> r = get(port, "/api/vm?vm=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                assertThat(r.statusCode()).as("port %d, VM %s: %s", port, id, r.body()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("id").asText()).isEqualTo(id);
            }
        }
    }

    private static List<String> alertmanagerRules() {
        try {
            List<String> rules = new ArrayList<>();
            for (JsonNode a : JSON.readTree(get(9093, "/api/v2/alerts").body())) {
                rules.add(a.get("labels").get("rule").asText());
            }
            return rules.stream().sorted().toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static List<String> vmIds(int port) {
        try {
            List<String> ids = new ArrayList<>();
            JSON.readTree(get(port, "/api/vms").body()).forEach(v -> ids.add(v.get("id").asText()));
            return ids.stream().sorted().toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static double metric(int port, String name) {
        try {
            for (String line : get(port, "/metrics").body().split("\n")) {
                if (line.startsWith(name + " ")) {
                    return Double.parseDouble(line.substring(name.length() + 1).trim());
                }
            }
        } catch (Exception e) {
            // not serving yet
        }
        return 0;
    }

    private static int status(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("within %d s: %s", seconds, what).isTrue();
            Thread.sleep(500);
        }
    }

    private static List<String> with(List<String> compose, String... args) {
        List<String> c = new ArrayList<>(compose);
        c.addAll(List.of(args));
        return c;
    }

    /** Runs a command in the repository's root with its output in {@link #LOGS}; fails with its tail. */
    private static void run(List<String> command, String log, int seconds) throws Exception {
        Path file = LOGS.resolve(log);
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(file.toFile());
        pb.environment().put("FAULTLINE_HOST", HOST);
        Process p = pb.start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(file);
        String tail = output.substring(Math.max(0, output.length() - 4000));
        assertThat(done).as("%s finished within %d s; its output ends:%n%s", command, seconds, tail).isTrue();
        assertThat(p.exitValue()).as("%s exited; its output ends:%n%s", command, tail).isZero();
    }

    private static List<String> lines(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
