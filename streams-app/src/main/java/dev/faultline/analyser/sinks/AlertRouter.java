package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.topology.Topics;
import dev.faultline.serde.AvroSerde;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads committed alerts from faultline.alerts and hands each to every sink channel. It runs beside
 * the Streams threads, not in them: a slow or down sink fills its own bounded queue and nothing
 * else. Delivery is at least once: a partition's offset is committed only up to its first alert that
 * some channel is not yet done with, so alerts still queued or retried when the analyser dies are read
 * again by the next one (receivers de-duplicate by alert id). A channel is done when it delivered,
 * filtered, dropped (queue full) or gave up on an alert; the last two are counted in its stats.
 */
public final class AlertRouter implements AutoCloseable {
    public static final String GROUP = "faultline-sinks";

    private final KafkaConsumer<String, Alert> consumer;
    private final List<SinkChannel> channels;
    private final Consumer<Alert> onAlert;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /** Per partition, the offsets read and not yet done by every channel, with how many channels are left. */
    private final Map<TopicPartition, ConcurrentSkipListMap<Long, AtomicInteger>> inFlight = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
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
        consumer.subscribe(List.of(Topics.ALERTS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commitDone(true); // what is still in flight there is sent again by the partition's next owner
                partitions.forEach(tp -> {
                    inFlight.remove(tp);
                    committed.remove(tp);
                });
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> {
                    onAlert.accept(r.value());
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    AtomicInteger left = new AtomicInteger(channels.size());
                    ConcurrentSkipListMap<Long, AtomicInteger> open = inFlight.computeIfAbsent(tp, k -> new ConcurrentSkipListMap<>());
                    open.put(r.offset(), left);
                    Runnable done = () -> {
                        if (left.decrementAndGet() == 0) {
                            open.remove(r.offset());
                        }
                    };
                    channels.forEach(ch -> ch.offer(r.value(), done));
                    if (channels.isEmpty()) {
                        open.remove(r.offset());
                    }
                });
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp));
                }
                commitDone(false);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            try {
                commitDone(true);
            } catch (RuntimeException e) {
                // closing anyway: the uncommitted alerts are read again
            }
            consumer.close();
        }
    }

    /** Commits, per partition, the first offset some channel is not done with (the position when none). */
    private void commitDone(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            Long position = positions.get(tp);
            if (position == null) {
                continue;
            }
            ConcurrentSkipListMap<Long, AtomicInteger> open = inFlight.get(tp);
            Long first = open == null ? null : open.isEmpty() ? null : open.firstKey();
            long upTo = first != null ? Math.min(first, position) : position;
            if (!Long.valueOf(upTo).equals(committed.get(tp))) {
                offsets.put(tp, new OffsetAndMetadata(upTo));
                committed.put(tp, upTo);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, null);
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
