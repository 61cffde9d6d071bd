package dev.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.commandline.ConfigDefaults;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.events.Topics;
import dev.faultline.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docker-compose.yml and the Dockerfiles against the code (no Docker engine needed): every
 * FAULTLINE_* variable is an option, ports agree, the topics are the code's, the mounted tracefs is the
 * one the collector reads, the sinks file loads, the images use this version's archive.
 */
class DeploymentConsistencyTest {
    static final Path ROOT = Path.of("..");

    /** Every environment variable the configuration understands. */
    static Set<String> knownVariables() {
        Set<String> out = new HashSet<>(Set.of(ConfigDefaults.CONFIG_ENV));
        Map<String, CommandSpec> commands = new LinkedHashMap<>();
        ConfigDefaults.collect(Faultline.commandLine().getCommandSpec(), commands);
        commands.forEach((key, spec) -> {
            for (OptionSpec o : spec.options()) {
                out.add(ConfigDefaults.envName(key, o.longestName().replaceFirst("^-+", "")));
            }
        });
        return out;
    }

    /** What is wrong with a compose file, in words; empty when it agrees with the code. */
    static List<String> problems(String composeYaml) throws Exception {
        List<String> p = new ArrayList<>();
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(composeYaml).get("services");
        Set<String> known = knownVariables();
        services.fields().forEachRemaining(svc -> {
            JsonNode env = svc.getValue().get("environment");
            if (env != null) {
                env.fieldNames().forEachRemaining(name -> {
                    if (name.startsWith("FAULTLINE_") && !known.contains(name)) {
                        p.add(svc.getKey() + ": " + name + " is no configuration key of the code");
                    }
                });
            }
        });
        for (String analyser : List.of("analyser-1", "analyser-2")) {
            JsonNode s = services.get(analyser);
            String server = s.get("environment").get("FAULTLINE_ANALYSE_APPLICATION_SERVER").asText();
            if (!server.startsWith(analyser + ":")) {
                p.add(analyser + ": application server " + server + " is not its own service name");
            }
            String port = server.substring(server.indexOf(':') + 1);
            if (!s.get("ports").get(0).asText().endsWith(":" + port)) {
                p.add(analyser + ": application server port " + port + " is not the published container port");
            }
        }
        JsonNode collector = services.get("collector");
        String metrics = collector.get("environment").get("FAULTLINE_COLLECT_METRICS_PORT").asText();
        if (!collector.get("ports").get(0).asText().endsWith(":" + metrics)) {
            p.add("collector: metrics port " + metrics + " is not published");
        }
        String tracefs = collector.get("environment").get("FAULTLINE_COLLECT_TRACEFS").asText();
        boolean mounted = false;
        for (JsonNode v : collector.get("volumes")) {
            mounted |= v.asText().equals(tracefs + ":" + tracefs);
        }
        // the capabilities faultline doctor asks of a collector (HostAssessment), the least set that works
        List<String> caps = new ArrayList<>();
        collector.path("cap_add").forEach(c -> caps.add(c.asText()));
        boolean capable = collector.path("privileged").asBoolean() || caps.containsAll(List.of("SYS_ADMIN", "SYS_PTRACE"));
        if (!mounted || !capable || !"host".equals(collector.get("pid").asText())) {
            p.add("collector: needs CAP_SYS_ADMIN and CAP_SYS_PTRACE, the host's PID namespace and " + tracefs + " mounted");
        }
        Map<String, Integer> created = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(faultline\\.[a-z.]+):(\\d+)").matcher(services.get("kafka-init").get("command").get(0).asText());
        while (m.find()) {
            created.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        if (!created.equals(dev.faultline.kafka.KafkaCluster.FAULTLINE_TOPICS)
                || !created.keySet().containsAll(List.of(Topics.EVENTS, Topics.ALERTS, Topics.DEAD_LETTERS))) {
            p.add("kafka-init creates " + created + ", the code uses " + dev.faultline.kafka.KafkaCluster.FAULTLINE_TOPICS);
        }
        return p;
    }

    @Test
    void composeAgreesWithTheCode() throws Exception {
        assertThat(problems(Files.readString(ROOT.resolve("docker-compose.yml")))).isEmpty();
    }

    /** The check fails when a key the compose file uses is renamed in the code (here: in the file). */
    @Test
    void aRenamedKeyIsCaught() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"))
                .replace("FAULTLINE_COLLECT_SPOOL_DIR", "FAULTLINE_COLLECT_SPOOL_DIRECTORY");
        assertThat(problems(compose)).singleElement().asString()
                .contains("FAULTLINE_COLLECT_SPOOL_DIRECTORY is no configuration key");
        assertThat(problems(Files.readString(ROOT.resolve("docker-compose.yml")).replace("faultline.alerts:3", "faultline.alert:3")))
                .anyMatch(s -> s.contains("kafka-init creates"));
    }

    @Test
    void dockerfilesUseThisVersionsArchiveAndRealCommands() throws Exception {
        String version = Faultline.commandLine().getCommandSpec().version()[0].replace("faultline ", "");
        // The analyser image exposes the query API's default port; the collector's metrics port is set in the image.
        // The collector image carries the collector archive, the analyser image the full one.
        for (String[] image : List.of(new String[] {"collector", "collect", "9464", "distribution/collector/target/faultline-collector-"},
                new String[] {"analyser", "analyse", "--http-port", "distribution/target/faultline-"})) {
            String df = Files.readString(ROOT.resolve("docker/" + image[0] + ".Dockerfile"));
            String port = !image[2].startsWith("--") ? image[2] : Faultline.commandLine().getSubcommands()
                    .get(image[1]).getCommandSpec().findOption(image[2]).defaultValue();
            assertThat(df).contains("ARG FAULTLINE_VERSION=" + version + "-SNAPSHOT")
                    .contains("ADD " + image[3] + "${FAULTLINE_VERSION}.tar.gz")
                    .contains("ENTRYPOINT [\"/opt/faultline/bin/faultline\", \"" + image[1] + "\"]")
                    .contains("EXPOSE " + port);
            assertThat(Faultline.commandLine().getSubcommands()).containsKey(image[1]);
        }
        assertThat(Files.readString(ROOT.resolve("docker/analyser.Dockerfile"))).contains("USER 10001");
        assertThat(Files.readString(ROOT.resolve("docker-compose.yml")))
                .contains("faultline/collector:${FAULTLINE_VERSION:-" + version + "-SNAPSHOT}")
                .contains("faultline/analyser:${FAULTLINE_VERSION:-" + version + "-SNAPSHOT}")
                // the broker image is the Kafka version the code is built with, whichever registry it comes from
                .contains("${KAFKA_IMAGE:-apache/kafka:" + AppInfoParser.getVersion() + "}");
        assertThat(Files.readString(ROOT.resolve("docker/air-gapped.env")))
                .contains("KAFKA_IMAGE=faultline/kafka:" + AppInfoParser.getVersion());
        assertThat(ROOT.resolve("distribution/src/bin/faultline")).exists();
    }

    @Test
    void theComposeSinksFileLoads() throws Exception {
        List<SinkChannel> sinks = SinkConfig.load(ROOT.resolve("docker/sinks.yaml"));
        try {
            assertThat(sinks).extracting(s -> s.stats().kind()).contains("alertmanager");
        } finally {
            sinks.forEach(SinkChannel::close);
        }
    }
}
