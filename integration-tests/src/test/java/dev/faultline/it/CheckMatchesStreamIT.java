package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.analyser.topology.AnalyserTopology;
import dev.faultline.analyser.topology.Topics;
import dev.faultline.cli.Faultline;
import dev.faultline.cli.LocalPipeline;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code faultline check} and the streaming analyser on a real broker find the same things over the same
 * trace: a simulated 100k-event trace of every VM type with a violation of a rule in turn every 200 steps.
 * Compared per alert key (rule, VM, GFN range): the same keys, the same evidence of the first occurrence,
 * and the same number of occurrences (the stream may split a key's repeats over several fold windows, check
 * folds a whole trace into one). Once straight through, and once with the analyser stopped half-way and a
 * new one started on an empty state directory, so its state comes only from the changelogs, which the live
 * stores write through at each commit.
 */
class CheckMatchesStreamIT {
    private static final String HOST = "stream";
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path trace;
    static RuleSet rules;
    static Map<String, Key> offline;

    /** What is compared of one alert key: the first occurrence's evidence, and how many times it happened. */
    record Key(List<Long> firstEvidence, long occurrences) {
    }

    @BeforeAll
    static void traceAndCheck() throws IOException {
        rules = RuleSet.load(Path.of("../rules"));
        trace = dir.resolve(HOST + ".trace");
        try (BufferedWriter w = Files.newBufferedWriter(trace)) {
            new Simulator(new SimulationConfig(23, 6, List.of(VmKind.values()), 50_000, 0,
                    new LinkedHashSet<>(rules.rules().keySet().stream().filter(SimulationConfig::canInject).toList()), 200))
                    .run(l -> {
                        try {
                            w.write(l);
                            w.newLine();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        offline = check(trace);
        assertThat(offline.keySet().stream().map(k -> k.split("\\|")[0]).distinct()).as("the injected rules fire")
                .hasSizeGreaterThan(10);
    }

    @Test
    void theStreamFindsWhatCheckFinds() throws Exception {
        try (KafkaCluster kafka = TestKafka.start()) {
            LocalPipeline.replay(kafka.bootstrapServers(), trace.toString(), HOST);
            try (AnalyserApp analyser = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-straight"), rules, Map.of())) {
                analyser.start();
                awaitCommitted(kafka, Long.MAX_VALUE);
                awaitFoldWindows();
            }
            assertThat(streamed(kafka)).isEqualTo(offline);
        }
    }

    @Test
    void aNewAnalyserHalfWayRestoresItsStateFromTheChangelogs() throws Exception {
        try (KafkaCluster kafka = TestKafka.start()) {
            long events = LocalPipeline.replay(kafka.bootstrapServers(), trace.toString(), HOST).totalEvents();
            try (AnalyserApp first = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-first"), rules, Map.of())) {
                first.start();
                awaitCommitted(kafka, events / 2);
            }
            try (AnalyserApp second = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-second"), rules, Map.of())) {
                second.start();
                awaitCommitted(kafka, Long.MAX_VALUE);
                awaitFoldWindows();
            }
            assertThat(streamed(kafka)).isEqualTo(offline);
        }
    }

    /** {@code faultline check --format json}, by alert key. */
    private static Map<String, Key> check(Path file) throws IOException {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Faultline.run("check", file.toString(), "--rules", "../rules", "--format", "json");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isEqualTo(1);
        Map<String, Key> byKey = new TreeMap<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode a = JSON.readTree(line);
            List<Long> evidence = new ArrayList<>();
            a.get("evidence").forEach(e -> evidence.add(e.asLong()));
            String key = a.get("rule").asText() + "|" + a.get("vm").asText() + "|" + a.get("gfn_start").asText() + "|"
                    + a.get("gfn_end").asText();
            assertThat(byKey.put(key, new Key(evidence, a.get("count").asLong()))).as("check folds a key into one alert").isNull();
        }
        return byKey;
    }

    /** The committed alerts on faultline.alerts, each id in its latest form, by alert key. */
    private static Map<String, Key> streamed(KafkaCluster kafka) {
        List<Alert> records = new ArrayList<>();
        try (KafkaConsumer<String, Alert> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "check-matches", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                AvroSerde.alerts().deserializer())) {
            c.subscribe(List.of(Topics.ALERTS));
            int empty = 0;
            while (empty < 10) {
                var batch = c.poll(Duration.ofMillis(300));
                empty = batch.isEmpty() ? empty + 1 : 0;
                batch.forEach(r -> records.add(r.value()));
            }
        }
        Map<String, List<Alert>> byKey = new TreeMap<>();
        for (Alert a : AlertFolder.latestPerId(records)) {
            String key = a.getRule() + "|" + a.getVm() + "|" + hex(a.getGfnStart()) + "|" + hex(a.getGfnEnd());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
        }
        Map<String, Key> out = new TreeMap<>();
        byKey.forEach((key, alerts) -> out.put(key, new Key(alerts.get(0).getEvidence().stream().map(Evidence::getSeq).toList(),
                alerts.stream().mapToLong(Alert::getCount).sum())));
        return out;
    }

    private static String hex(Long gfn) {
        return gfn == null ? "null" : "0x" + Long.toHexString(gfn);
    }

    /** Until the analyser has committed at least {@code n} events (all of them for Long.MAX_VALUE). */
    private static void awaitCommitted(KafkaCluster kafka, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (Admin admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(AnalyserApp.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
                long done = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                Map<TopicPartition, Long> end = LocalPipeline.endOffsets(admin, Topics.EVENTS);
                long total = end.values().stream().mapToLong(Long::longValue).sum();
                if (done >= Math.min(n, total)) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the analyser did not commit " + n + " events in 5 minutes");
    }

    /** The fold windows close on the analyser's wall clock: past one window, every repeat's count is out. */
    private static void awaitFoldWindows() throws InterruptedException {
        Thread.sleep(AnalyserTopology.DEFAULT_FOLD_WINDOW_MS + 3_000);
    }
}
