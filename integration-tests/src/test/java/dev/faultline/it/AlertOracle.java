package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.analyser.topology.AnalyserTopology;
import dev.faultline.events.Topics;
import dev.faultline.cli.Faultline;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The oracle of the stream tests: what {@code faultline check} finds in a trace, and what reached
 * faultline.alerts ({@code read_committed}), in one comparable form per alert key (rule, VM, GFN range):
 * the evidence of the key's first occurrence and its number of occurrences (the stream may split a key's
 * repeats over several fold windows; check folds a whole trace into one). Equal maps: nothing missing,
 * nothing doubled, nothing extra.
 */
final class AlertOracle {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is compared of one alert key. */
    record Key(List<Long> firstEvidence, long occurrences) {
    }

    private AlertOracle() {
    }

    /**
     * A simulated trace of every VM type with a violation of an injectable rule in turn every {@code injectEvery}
     * guest steps, written to {@code file}.
     */
    static Path simulatedTrace(Path file, long seed, int vms, long steps, Collection<String> rules, long injectEvery)
            throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            new Simulator(new SimulationConfig(seed, vms, List.of(VmKind.values()), steps, 0,
                    new LinkedHashSet<>(rules.stream().filter(SimulationConfig::canInject).toList()), injectEvery))
                    .run(l -> {
                        try {
                            w.write(l);
                            w.newLine();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return file;
    }

    /** {@code faultline check --format json} over {@code trace}, by alert key. */
    static Map<String, Key> check(Path trace) throws IOException {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Faultline.run("check", trace.toString(), "--rules", "../rules", "--format", "json");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isEqualTo(1);
        Map<String, Key> byKey = new TreeMap<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode a = JSON.readTree(line);
            List<Long> evidence = new ArrayList<>();
            a.get("evidence").forEach(e -> evidence.add(e.asLong()));
            String key = key(a.get("rule").asText(), a.get("vm").asText(), a.get("gfn_start").asText(),
                    a.get("gfn_end").asText(), a.get("message").asText(), evidence);
            assertThat(byKey.put(key, new Key(evidence, a.get("count").asLong()))).as("check folds a key into one alert").isNull();
        }
        return byKey;
    }

    /**
     * Every committed alert on faultline.alerts, each id in its latest form, by alert key. Read once no
     * transaction is open on the topic: a killed analyser's is aborted only when its timeout passes, and
     * until then a read_committed reader sees nothing past it.
     */
    static Map<String, Key> streamed(String bootstrapServers) throws Exception {
        awaitNoOpenTransaction(bootstrapServers, Topics.ALERTS);
        List<Alert> records = TopicReader.values(bootstrapServers, Topics.ALERTS, AvroSerde.alerts().deserializer());
        Map<String, List<Alert>> byKey = new TreeMap<>();
        for (Alert a : AlertFolder.latestPerId(records)) {
            String key = key(a.getRule(), a.getVm(), hex(a.getGfnStart()), hex(a.getGfnEnd()), a.getMessage(),
                    a.getEvidence().stream().map(Evidence::getSeq).toList());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
        }
        Map<String, Key> out = new TreeMap<>();
        byKey.forEach((key, alerts) -> out.put(key, new Key(alerts.get(0).getEvidence().stream().map(Evidence::getSeq).toList(),
                alerts.stream().mapToLong(Alert::getCount).sum())));
        return out;
    }

    /**
     * An alert's key: rule, VM, GFN range; a budget alert (one per rule, VM and budget window, standing for
     * the alerts past the budget) also by the first alert it stands for, which names its window.
     */
    private static String key(String rule, String vm, String gfnStart, String gfnEnd, String message, List<Long> evidence) {
        String key = rule + "|" + vm + "|" + gfnStart + "|" + gfnEnd;
        return message.startsWith("alert budget:") ? key + "|budget|" + evidence : key;
    }

    /** Until every partition's last stable offset is its high watermark (2 minutes at most). */
    static void awaitNoOpenTransaction(String bootstrapServers, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            while (System.nanoTime() < deadline) {
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                var high = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
                if (latest.keySet().stream().allMatch(tp -> stable.get(tp).offset() == high.get(tp).offset())) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("a transaction stayed open on " + topic + " for 2 minutes");
    }

    private static String hex(Long gfn) {
        return gfn == null ? "null" : "0x" + Long.toHexString(gfn);
    }

    /** Events the analyser's group has committed, over every partition of faultline.events. */
    static long committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(StoreNames.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
        return committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    /** Until the analyser has committed at least {@code n} events (all of them for Long.MAX_VALUE). */
    static void awaitCommitted(String bootstrapServers, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (System.nanoTime() < deadline) {
                long done = committed(admin);
                long total = LocalPipeline.endOffsets(admin, Topics.EVENTS).values().stream().mapToLong(Long::longValue).sum();
                if (done >= Math.min(n, total)) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the analyser did not commit " + n + " events within " + timeout);
    }

    /** The fold windows close on the analyser's wall clock: past one window, every repeat's count is out. */
    static void awaitFoldWindows() throws InterruptedException {
        Thread.sleep(AnalyserTopology.DEFAULT_FOLD_WINDOW_MS + 3_000);
    }
}
