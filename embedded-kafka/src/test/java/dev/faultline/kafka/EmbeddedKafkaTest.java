package dev.faultline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The broker is real: topics exist, records round-trip, and it survives a stop/start. */
class EmbeddedKafkaTest {

    @Test
    void startsCreatesTopicsRoundTripsAndRestarts() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (var admin = kafka.admin()) {
                var topics = admin.describeTopics(List.of("faultline.events", "faultline.alerts")).allTopicNames().get();
                assertThat(topics.get("faultline.events").partitions()).hasSize(6);
                assertThat(topics.get("faultline.alerts").partitions()).hasSize(3);
            }
            produce(kafka, "before");
            kafka.stopServer();
            kafka.startServer();
            produce(kafka, "after");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "t", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(List.of("faultline.alerts"));
                List<String> seen = new java.util.ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
                    ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(500));
                    rs.forEach(r -> seen.add(r.value()));
                }
                assertThat(seen).containsExactly("before", "after");
            }
        }
    }

    private static void produce(EmbeddedKafka kafka, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>("faultline.alerts", 0, "k", value)).get();
        }
    }
}
