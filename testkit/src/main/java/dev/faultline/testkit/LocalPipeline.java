package dev.faultline.testkit;

import dev.faultline.collector.Collector;
import dev.faultline.alerts.Alert;
import dev.faultline.analyser.metrics.AnalyserMetrics;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.AlertRouter;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.events.Topics;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.kafka.KafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The whole pipeline on one machine: a real in-process Kafka broker, the streaming analyser, an
 * alert watcher, and the collector replaying traces into Kafka. What {@code faultline demo} runs
 * and what the integration tests drive.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final String ANALYSER_GROUP = StoreNames.APPLICATION_ID;

    private final KafkaCluster kafka;
    private final AnalyserApp analyser;
    private final Path stateDir;
    private final AlertRouter router;
    private final AnalyserMetrics metrics;
    private boolean closed;

    private LocalPipeline(KafkaCluster kafka, RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks)
            throws IOException {
        this.kafka = kafka;
        this.stateDir = Files.createTempDirectory("faultline-streams");
        this.analyser = new AnalyserApp(kafka.bootstrapServers(), stateDir, rules, Map.of());
        this.router = new AlertRouter(kafka.bootstrapServers(), Map.of(), sinks, onAlert,
                "faultline-local-" + System.nanoTime());
        this.metrics = analyser.metrics(router::stats);
    }

    /** Starts the broker, the analyser and the alert watcher; returns once the analyser is running. */
    public static LocalPipeline start(RuleSet rules, Consumer<Alert> onAlert) throws IOException {
        return start(rules, onAlert, List.of());
    }

    /** The same, with alerts also routed to sinks. */
    public static LocalPipeline start(RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks) throws IOException {
        return start(EmbeddedKafka.start(), rules, onAlert, sinks);
    }

    /** The same on a given cluster (with the Faultline topics), which the pipeline closes with itself. */
    public static LocalPipeline start(KafkaCluster kafka, RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks)
            throws IOException {
        LocalPipeline p = new LocalPipeline(kafka, rules, onAlert, sinks);
        p.analyser.start();
        p.awaitRunning(Duration.ofSeconds(60));
        return p;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The analyser's state, through interactive queries. */
    public StateQueries queries() {
        return analyser.queries();
    }

    public KafkaCluster kafka() {
        return kafka;
    }

    /** The analyser's Prometheus exposition text. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** The sinks' counters; empty without sinks. */
    public List<SinkChannel.Stats> sinkStats() {
        return router.stats();
    }

    /** Replays a trace into faultline.events; throws if any record was not acknowledged. */
    public CollectorStats replay(String file, String host) throws IOException {
        return replay(kafka.bootstrapServers(), file, host);
    }

    /** Replays a trace into faultline.events of any cluster; throws if any record was not acknowledged. */
    public static CollectorStats replay(String bootstrapServers, String file, String host) throws IOException {
        KafkaPublisher publisher = new KafkaPublisher(bootstrapServers, Map.of(), Topics.EVENTS);
        CollectorStats stats;
        try (publisher) {
            stats = Collector.replay(file, host, 47, publisher);
        }
        if (publisher.failed() > 0) {
            throw new IOException(publisher.failed() + " events were not delivered: " + publisher.lastError());
        }
        return stats;
    }

    /** Waits until the analyser has committed every event and the watcher has read every committed alert. */
    public void awaitProcessed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = kafka.admin()) {
            while (!caughtUp(admin)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("analyser did not catch up within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    private boolean caughtUp(Admin admin) throws InterruptedException {
        try {
            return analyserCommittedAll(admin) && router.readUpTo(endOffsets(admin, Topics.ALERTS));
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Whether the analyser (every instance of it) has committed every event on faultline.events. */
    public static boolean analyserCommittedAll(Admin admin) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(ANALYSER_GROUP).partitionsToOffsetAndMetadata().get();
        for (Map.Entry<TopicPartition, Long> end : endOffsets(admin, Topics.EVENTS).entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            if (end.getValue() > 0 && (c == null || c.offset() < end.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The end offset of each partition of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
            throws ExecutionException, InterruptedException {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            q.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        return admin.listOffsets(q).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> ((ListOffsetsResult.ListOffsetsResultInfo) e.getValue()).offset()));
    }

    private void awaitRunning(Duration timeout) {
        awaitRunning(analyser, System.nanoTime() + timeout.toNanos());
    }

    /** Waits until {@code app} is RUNNING; fails at the deadline ({@link System#nanoTime()}) or on ERROR. */
    public static void awaitRunning(AnalyserApp app, long deadlineNanos) {
        while (app.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadlineNanos || app.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("analyser is " + app.state() + " at the deadline");
            }
            sleep(50);
        }
    }

    /** Idempotent: a shutdown hook and the main thread may both close it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.close();
        router.close();
        analyser.close();
        kafka.close();
        deleteTree(stateDir);
    }

    /** Deletes a temp directory; a leftover is harmless. */
    static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
