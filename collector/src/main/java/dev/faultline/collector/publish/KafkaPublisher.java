package dev.faultline.collector.publish;

import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces events to {@code faultline.events} keyed by VM id: idempotent, acks=all, batched and
 * compressed. User properties (security.protocol, SASL, SSL, ...) pass through unchanged; the
 * delivery guarantees above cannot be overridden. A send that fails is counted and its error kept.
 */
public final class KafkaPublisher implements EventSink {
    public static final String EVENTS_TOPIC = "faultline.events";

    private final KafkaProducer<String, Event> producer;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> lastError = new AtomicReference<>();

    public KafkaPublisher(String bootstrapServers, Map<String, String> clientProperties, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, p.getProperty(ProducerConfig.CLIENT_ID_CONFIG, "faultline-collector"));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), AvroSerde.events());
        this.topic = topic;
    }

    @Override
    public void accept(Event event) {
        producer.send(new ProducerRecord<>(topic, null, event.getHeader().getWallTsMs(), event.getHeader().getVm(),
                event), (meta, err) -> {
                    if (err == null) {
                        sent.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        lastError.set(err);
                    }
                });
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.flush();
        producer.close(Duration.ofSeconds(30));
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public Exception lastError() {
        return lastError.get();
    }
}
