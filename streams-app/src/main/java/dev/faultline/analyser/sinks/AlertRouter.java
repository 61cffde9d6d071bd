package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.topology.Topics;
import dev.faultline.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads committed alerts from faultline.alerts and hands each to every sink channel. It runs beside
 * the Streams threads, not in them: a slow or down sink fills its own bounded queue and nothing
 * else. Offsets are committed after the alerts are queued (at least once to the queues).
 */
public final class AlertRouter implements AutoCloseable {
    public static final String GROUP = "faultline-sinks";

    private final KafkaConsumer<String, Alert> consumer;
    private final List<SinkChannel> channels;
    private final Consumer<Alert> onAlert;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** The analyser's router: alerts to the sinks, consumer group {@value #GROUP}. */
    public AlertRouter(String bootstrapServers, Map<String, String> clientProperties, List<SinkChannel> channels) {
        this(bootstrapServers, clientProperties, channels, a -> { }, GROUP);
    }

    /** Also hands every alert to {@code onAlert} (the demo prints them), in its own consumer group. */
    public AlertRouter(String bootstrapServers, Map<String, String> clientProperties, List<SinkChannel> channels,
            Consumer<Alert> onAlert, String group) {
        this.onAlert = onAlert;
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), AvroSerde.alerts());
        this.channels = channels;
        this.thread = new Thread(this::loop, "faultline-alert-router");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        consumer.subscribe(List.of(Topics.ALERTS));
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> {
                    onAlert.accept(r.value());
                    channels.forEach(ch -> ch.offer(r.value()));
                });
                if (!records.isEmpty()) {
                    consumer.commitAsync();
                }
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
    public boolean readUpTo(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (e.getValue() > 0 && positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    public List<SinkChannel.Stats> stats() {
        return channels.stream().map(SinkChannel::stats).toList();
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
        channels.forEach(SinkChannel::close);
    }
}
