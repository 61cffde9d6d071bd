package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.events.Topics;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(AlertRouter.class);

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
        // a rebalance revokes only the partitions that move, not every one (and with them the alerts in flight)
        c.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
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
                try {
                    commitDone(true);
                } catch (RuntimeException e) {
                    LOG.warn("alert router: commit before a rebalance failed ({}); the alerts are sent again", e.toString());
                }
                partitions.forEach(committed::remove);
                // in-flight alerts stay tracked: queued once, they are not queued again if the partition comes back
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                partitions.forEach(committed::remove); // no longer ours: nothing to commit
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        try {
            while (running) {
                try {
                    route(consumer.poll(Duration.ofMillis(200)));
                    for (TopicPartition tp : consumer.assignment()) {
                        positions.put(tp, consumer.position(tp));
                    }
                    commitDone(false);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // a broker outage, a fenced member: the router must outlive it, or no alert reaches a sink again
                    LOG.warn("alert router: {}; retrying in 1 s", e.toString());
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                commitDone(true);
            } catch (RuntimeException e) {
                // closing anyway: the uncommitted alerts are read again
            }
            consumer.close();
        }
    }

    /** Hands each alert to every channel, tracking it until all are done with it. */
    private void route(Iterable<ConsumerRecord<String, Alert>> records) {
        for (ConsumerRecord<String, Alert> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            ConcurrentSkipListMap<Long, AtomicInteger> open = inFlight.computeIfAbsent(tp, k -> new ConcurrentSkipListMap<>());
            if (open.containsKey(r.offset())) {
                continue; // read again after a rebalance gave the partition back: still queued from the first read
            }
            onAlert.accept(r.value());
            if (channels.isEmpty()) {
                continue;
            }
            AtomicInteger left = new AtomicInteger(channels.size());
            open.put(r.offset(), left);
            Runnable done = () -> {
                if (left.decrementAndGet() == 0) {
                    open.remove(r.offset());
                }
            };
            channels.forEach(ch -> ch.offer(r.value(), done));
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
            Map.Entry<Long, AtomicInteger> firstOpen = open == null ? null : open.firstEntry(); // channels remove meanwhile
            Long first = firstOpen == null ? null : firstOpen.getKey();
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
