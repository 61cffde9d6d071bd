package dev.faultline.cli;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.AlertRouter;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.analyser.topology.Topics;
import dev.faultline.collector.CollectorStats;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The whole pipeline on one machine: a real in-process Kafka broker, the streaming analyser, an
 * alert watcher, and the collector replaying traces into Kafka. What {@code faultline demo} runs
 * and what the integration tests drive.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final String ANALYSER_GROUP = "faultline-analyser";

    private final EmbeddedKafka kafka;
    private final AnalyserApp analyser;
    private final Path stateDir;
    private final AlertWatcher watcher;
    private final AlertRouter router;
    private boolean closed;

    private LocalPipeline(EmbeddedKafka kafka, RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks)
            throws IOException {
        this.kafka = kafka;
        this.stateDir = Files.createTempDirectory("faultline-streams");
        this.analyser = new AnalyserApp(kafka.bootstrapServers(), stateDir, rules, Map.of());
        this.watcher = new AlertWatcher(kafka.bootstrapServers(), onAlert);
        this.router = sinks.isEmpty() ? null : new AlertRouter(kafka.bootstrapServers(), Map.of(), sinks);
    }

    /** Starts the broker, the analyser and the alert watcher; returns once the analyser is running. */
    public static LocalPipeline start(RuleSet rules, Consumer<Alert> onAlert) throws IOException {
        return start(rules, onAlert, List.of());
    }

    /** The same, with alerts also routed to sinks. */
    public static LocalPipeline start(RuleSet rules, Consumer<Alert> onAlert, List<SinkChannel> sinks) throws IOException {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        LocalPipeline p = new LocalPipeline(kafka, rules, onAlert, sinks);
        p.analyser.start();
        p.watcher.start();
        p.awaitRunning(Duration.ofSeconds(60));
        return p;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The sinks' counters; empty without sinks. */
    public List<SinkChannel.Stats> sinkStats() {
        return router == null ? List.of() : router.stats();
    }

    /** Replays a trace into faultline.events; throws if any record was not acknowledged. */
    public CollectorStats replay(String file, String host) throws IOException {
        KafkaPublisher publisher = new KafkaPublisher(kafka.bootstrapServers(), Map.of(), Topics.EVENTS);
        CollectorStats stats;
        try (publisher) {
            stats = TraceReplayer.replay(file, host, 47, publisher);
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
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(ANALYSER_GROUP).partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, Long> end : endOffsets(admin, Topics.EVENTS).entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                if (end.getValue() > 0 && (c == null || c.offset() < end.getValue())) {
                    return false;
                }
            }
            return watcher.readUpTo(endOffsets(admin, Topics.ALERTS));
        } catch (ExecutionException e) {
            return false;
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (analyser.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || analyser.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("analyser is " + analyser.state() + " after " + timeout);
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
        if (router != null) {
            router.close();
        }
        watcher.close();
        analyser.close();
        kafka.close();
        try (var s = Files.walk(stateDir)) {
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

    /** Reads committed alerts from faultline.alerts and hands each to a consumer. */
    static final class AlertWatcher implements AutoCloseable {
        private final KafkaConsumer<String, Alert> consumer;
        private final Consumer<Alert> onAlert;
        private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        AlertWatcher(String bootstrap, Consumer<Alert> onAlert) {
            Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "faultline-alert-watcher-" + System.nanoTime(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), AvroSerde.alerts());
            this.onAlert = onAlert;
            this.thread = new Thread(this::loop, "faultline-alert-watcher");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            consumer.subscribe(List.of(Topics.ALERTS));
            try {
                while (running) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> onAlert.accept(r.value()));
                    for (TopicPartition tp : consumer.assignment()) {
                        positions.put(tp, consumer.position(tp));
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }

        /** True once every partition's read position has reached the given end offsets. */
        boolean readUpTo(Map<TopicPartition, Long> ends) {
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                if (e.getValue() > 0 && positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
