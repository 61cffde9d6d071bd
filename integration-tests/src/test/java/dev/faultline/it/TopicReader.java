package dev.faultline.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/** A whole topic read from its start by a fresh group, {@code read_committed}, until it has been quiet for 3 s. */
final class TopicReader {
    private TopicReader() {
    }

    static <V> List<ConsumerRecord<byte[], V>> all(String bootstrapServers, String topic, Deserializer<V> values) {
        List<ConsumerRecord<byte[], V>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], V> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"),
                new ByteArrayDeserializer(), values)) {
            c.subscribe(List.of(topic));
            int empty = 0;
            while (empty < 10) {
                var batch = c.poll(Duration.ofMillis(300));
                empty = batch.isEmpty() ? empty + 1 : 0;
                batch.forEach(out::add);
            }
        }
        return out;
    }

    /** The values only. */
    static <V> List<V> values(String bootstrapServers, String topic, Deserializer<V> values) {
        return all(bootstrapServers, topic, values).stream().map(ConsumerRecord::value).toList();
    }
}
