package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archives `mvn package` builds, unpacked in an empty directory: the full one runs the demo on its own; the
 * collector's collects and doctors with none of the broker, Kafka Streams, the rule engine or the web server.
 */
class DistributionIT {

    @Test
    void unpackedArchiveRunsTheDemo(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpack(empty);
        assertThat(home.resolve("bin/faultline")).isExecutable();
        assertThat(home.resolve("rules/private-memory.yaml")).exists();
        assertThat(home.resolve("bpf/faultline.bt")).exists();
        assertThat(home.resolve("systemd/faultline-collector.service")).exists();
        assertThat(home.resolve("config/faultline.yaml")).exists();
        assertThat(home.resolve("prometheus/faultline-alerts.yml")).exists();
        assertThat(home.resolve("prometheus/faultline-alerts.test.yml")).exists();

        Process demo = new ProcessBuilder(home.resolve("bin/faultline").toString(), "demo", "--exit-after-replay")
                .directory(empty.toFile()).redirectErrorStream(true).start();
        String out = new String(demo.getInputStream().readAllBytes());
        assertThat(demo.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(demo.exitValue()).as(out).isZero();
        assertThat(out).contains("ALERT CRITICAL  private-fault-emulated-mmio")
                .contains("ALERT ERROR  gmem-invalidation-outside-binding").contains("2 alert(s)");
    }

    /**
     * bin/faultline runs the collector side with the parallel garbage collector (docs/benchmarks.md), the rest
     * with the JVM's default, and leaves the choice to FAULTLINE_JAVA_OPTS when it names a collector: the JVM
     * would refuse two. -Xlog:gc prints which one the JVM uses.
     */
    @Test
    void launcherPicksTheGarbageCollectorPerCommand(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpack(empty);
        String trace = home.resolve("scenarios/demo-snp.trace").toString();
        Launch collect = launch(home, "-Xlog:gc", "collect", "--source", "replay:" + trace, "--output", "jsonl");
        assertThat(collect.exit()).as(collect.out()).isZero();
        assertThat(collect.gc()).isEqualTo("Parallel");
        assertThat(collect.out()).contains("{\"type\":\"VmCreated\"").contains("{\"type\":\"GmemInvalidation\"");

        Launch chosen = launch(home, "-Xlog:gc -XX:+UseSerialGC", "collect", "--source", "replay:" + trace,
                "--output", "jsonl");
        assertThat(chosen.exit()).as(chosen.out()).isZero();
        assertThat(chosen.gc()).isEqualTo("Serial");

        Launch check = launch(home, "-Xlog:gc", "check", trace);
        assertThat(check.exit()).as(check.out()).isEqualTo(1); // the scenario breaks two rules
        assertThat(check.gc()).isNotEqualTo("Parallel"); // the JVM's default: G1 here, Serial on a single CPU
    }

    /**
     * Out of memory, bin/faultline exits 3 at once: never 1, which check means as "alerts found" (a CI gate
     * would read a crash as a finding), and never an analyser left running with dead threads.
     */
    @Test
    void outOfMemoryExits3(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpack(empty);
        Launch check = launch(home, "-Xmx8m", "check", home.resolve("scenarios/demo-snp.trace").toString());
        assertThat(check.exit()).as(check.out()).isEqualTo(3);
        assertThat(check.out()).contains("OutOfMemoryError");
    }

    /**
     * doctor from the archive: JNA's native stub comes inside its jar, so KVM is asked on a host with no
     * compiler (nothing here compiles anything); its JSON is one object a script can read.
     */
    @Test
    void unpackedArchiveRunsTheDoctor(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpack(empty);
        Process p = new ProcessBuilder(home.resolve("bin/faultline").toString(), "doctor", "--format", "json")
                .directory(empty.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        JsonNode doctor = new ObjectMapper().readTree(out);
        assertThat(p.exitValue()).as(out).isEqualTo(doctor.get("exit_code").asInt());
        assertThat(doctor.get("probes").size()).isGreaterThan(10);
        assertThat(doctor.get("rules_problem")).as("the archive's rules/ found and loaded").isNull();
        if (Files.isWritable(Path.of("/dev/kvm"))) {
            assertThat(doctor.at("/kvm/problem").isNull()).as(doctor.at("/kvm").toString()).isTrue();
            assertThat(doctor.at("/kvm/api_version").asInt()).isEqualTo(12);
        } else {
            assertThat(doctor.at("/kvm/problem").asText()).doesNotContain("native access");
        }
    }

    /**
     * The collector archive: what runs as root on every KVM host. Its lib/ has no broker, Kafka Streams, RocksDB,
     * CEL, Javalin or Jetty; it replays a trace into the same events as the full archive and doctors the host,
     * saying it did not check rules rather than pretending every rule is fed.
     */
    @Test
    void collectorArchiveCollectsAndDoctorsAlone(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpackCollector(Files.createDirectory(empty.resolve("collector")));
        List<String> jars;
        try (var s = Files.list(home.resolve("lib"))) {
            jars = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).contains("faultline-collector-cli-0.1.0-SNAPSHOT.jar", "kafka-clients-4.3.1.jar")
                .noneMatch(j -> j.matches("(kafka_2\\.13|kafka-streams|kafka-server|kafka-raft|kafka-metadata|kafka-tools"
                        + "|rocksdbjni|cel-|javalin|jetty|faultline-streams-app|faultline-api|faultline-cli-|faultline-testkit"
                        + "|faultline-bench|faultline-embedded-kafka|kotlin|scala).*"));
        assertThat(home.resolve("bin/faultline")).isExecutable();
        assertThat(home.resolve("systemd/faultline-collector.service")).exists();
        assertThat(home.resolve("bpf/faultline.bt")).exists();
        assertThat(home.resolve("rules")).doesNotExist();

        Path trace = Path.of("../scenarios/demo-snp.trace").toAbsolutePath();
        Launch slim = launch(home, "", "collect", "--source", "replay:" + trace, "--output", "jsonl", "--host", "h");
        Launch full = launch(Distribution.unpack(Files.createDirectory(empty.resolve("full"))), "",
                "collect", "--source", "replay:" + trace, "--output", "jsonl", "--host", "h");
        assertThat(slim.exit()).as(slim.out()).isZero();
        assertThat(events(slim.out())).isNotEmpty().isEqualTo(events(full.out()));

        Launch doctor = launch(home, "", "doctor", "--format", "json");
        JsonNode d = new ObjectMapper().readTree(doctor.out());
        assertThat(doctor.exit()).as(doctor.out()).isEqualTo(d.get("exit_code").asInt());
        assertThat(d.get("rules_problem").asText()).contains("no rule engine");
        Launch analyse = launch(home, "", "analyse");
        assertThat(analyse.exit()).isEqualTo(2);
        assertThat(analyse.out()).contains("Unmatched argument").contains("analyse");
    }

    /** The JSON event lines of a collect run's output. */
    private static List<String> events(String out) {
        return out.lines().filter(l -> l.startsWith("{\"type\"")).toList();
    }

    private record Launch(int exit, String out) {
        private static final Pattern USING = Pattern.compile("\\[gc\\] Using (\\w+)");

        String gc() {
            Matcher m = USING.matcher(out);
            assertThat(m.find()).as("no '[gc] Using' line in:%n%s", out).isTrue();
            return m.group(1);
        }
    }

    private static Launch launch(Path home, String javaOpts, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = home.resolve("bin/faultline").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("FAULTLINE_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        return new Launch(p.exitValue(), out);
    }
}
