package dev.faultline.collector.publish;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.events.Event;
import dev.faultline.events.LossReason;
import dev.faultline.serde.AvroSerde;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces events to {@code faultline.events} keyed by VM id: idempotent, acks=all, batched and
 * compressed. User properties (security.protocol, SASL, SSL, ...) pass through; the delivery guarantees
 * cannot be overridden.
 *
 * <p>With a {@link DiskSpool} (live capture) it never holds up the kernel reader: during an outage the
 * producer keeps retrying what it holds in memory, and once that buffer is full events go to the spool,
 * and every later one too, so the order holds. A drainer sends the spool in order when Kafka is back and
 * then goes direct again. Events the full spool refuses are counted and reported through
 * {@link OverflowListener} as loss, never dropped silently.
 */
public final class KafkaPublisher implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);

    /** Told how many events the spool could not take, once the spool has drained. */
    public interface OverflowListener {
        void overflowed(long events);
    }

    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<Event> serde = AvroSerde.events();
    private final String topic;
    private final DiskSpool spool;
    private volatile OverflowListener overflow;
    private final Object lock = new Object();
    private boolean spooling;
    private int drainedInSegment;
    private java.nio.file.Path drainingSegment;
    private final Thread drainer;
    private volatile boolean running = true;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong overflowed = new AtomicLong();
    private final AtomicLong unreportedOverflow = new AtomicLong();
    private final AtomicReference<Exception> lastError = new AtomicReference<>();

    /** Without a spool: a send waits for room in the producer's buffer (replays, demos). */
    public KafkaPublisher(String bootstrapServers, Map<String, String> clientProperties, String topic) {
        this(bootstrapServers, clientProperties, topic, null, n -> { });
    }

    public KafkaPublisher(String bootstrapServers, Map<String, String> clientProperties, String topic, DiskSpool spool,
            OverflowListener overflow) {
        Properties p = new Properties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        if (spool != null) {
            // Keep retrying through an outage; never hold the reader more than briefly.
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "100");
        }
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, p.getProperty(ProducerConfig.CLIENT_ID_CONFIG, "faultline-collector"));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.spool = spool;
        this.overflow = overflow;
        this.drainer = spool == null ? null : new Thread(this::drainLoop, "faultline-spool-drainer");
        if (drainer != null) {
            drainer.setDaemon(true);
            drainer.start();
        }
    }

    /** Spool overflow becomes a TraceLoss (cpu -1, SPOOL_OVERFLOW) once the spool has drained. */
    @Override
    public void reportLossTo(LossSink sink) {
        this.overflow = n -> sink.loss(-1, n, LossReason.SPOOL_OVERFLOW);
    }

    @Override
    public void accept(Event event) {
        byte[] value = serde.encode(event);
        String key = event.getHeader().getVm();
        synchronized (lock) {
            if (spool != null && (spooling || !spool.isEmpty())) {
                toSpool(value);
                return;
            }
            try {
                send(key, value);
            } catch (KafkaException e) {
                if (spool == null) {
                    throw e;
                }
                LOG.warn("Kafka does not take events ({}): spooling to disk", e.getMessage());
                spooling = true;
                toSpool(value);
            }
        }
    }

    /**
     * Hands one record to the producer. A record the producer refuses at once (its buffer full past
     * max.block.ms, no metadata) is not thrown by Kafka's send(): it completes the callback in this
     * thread. That refusal is thrown here as a KafkaException, so the caller can spool it.
     */
    private void send(String key, byte[] value) {
        java.util.concurrent.atomic.AtomicBoolean inSend = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicReference<Exception> refused = new AtomicReference<>();
        producer.send(new ProducerRecord<>(topic, key, value), (meta, err) -> {
            if (err != null && inSend.get()) {
                refused.set(err);
            } else if (err == null) {
                sent.incrementAndGet();
            } else {
                failed.incrementAndGet();
                lastError.set(err);
            }
        });
        inSend.set(false);
        if (refused.get() != null) {
            throw refused.get() instanceof KafkaException k ? k : new KafkaException(refused.get());
        }
    }

    private void toSpool(byte[] value) {
        try {
            if (spool.append(value)) {
                spooled.incrementAndGet();
                return;
            }
        } catch (IOException e) {
            lastError.set(e);
        }
        overflowed.incrementAndGet();
        unreportedOverflow.incrementAndGet();
    }

    private void drainLoop() {
        while (running) {
            try {
                Thread.sleep(200);
                drainOnce();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | KafkaException e) {
                lastError.set(e); // Kafka still away: try again later
            }
        }
    }

    private final Object drainLock = new Object();

    /** Sends spooled segments in order; when the spool is empty, goes direct and reports overflow. */
    void drainOnce() throws IOException {
        synchronized (drainLock) {
            drainSegments();
        }
    }

    private void drainSegments() throws IOException {
        while (running) {
            DiskSpool.Segment seg = spool.oldest();
            if (seg == null) {
                synchronized (lock) {
                    if (spool.isEmpty() && spooling) {
                        spooling = false;
                        LOG.info("spool drained: sending directly again");
                    }
                }
                long lost = unreportedOverflow.getAndSet(0);
                if (lost > 0) {
                    overflow.overflowed(lost);
                }
                return;
            }
            if (!seg.path().equals(drainingSegment)) {
                drainingSegment = seg.path();
                drainedInSegment = 0;
            }
            for (; drainedInSegment < seg.records().size(); drainedInSegment++) {
                byte[] value = seg.records().get(drainedInSegment);
                send(serde.decode(value).getHeader().getVm(), value); // throws while Kafka is away
            }
            producer.flush();
            spool.delete(seg);
            drainingSegment = null;
        }
    }

    /**
     * Sends what is spooled and what the producer holds. The producer's buffer can refuse records the
     * drainer hands it faster than Kafka takes them, so this keeps trying for up to a minute; what is
     * still spooled then (Kafka away) stays on disk for the next start.
     */
    @Override
    public void flush() {
        if (spool != null) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!spool.isEmpty() && System.currentTimeMillis() < deadline) {
                try {
                    drainOnce();
                } catch (IOException | KafkaException e) {
                    lastError.set(e);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        producer.flush();
    }

    @Override
    public void close() {
        flush();
        running = false;
        if (drainer != null) {
            drainer.interrupt();
        }
        producer.close(Duration.ofSeconds(30));
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public long spooled() {
        return spooled.get();
    }

    public long overflowed() {
        return overflowed.get();
    }

    public long spoolBytes() {
        return spool == null ? 0 : spool.bytes();
    }

    public Exception lastError() {
        return lastError.get();
    }
}
