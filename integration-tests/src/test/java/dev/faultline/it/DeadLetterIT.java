package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.testkit.LocalPipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A poison record lands in the dead-letter topic with its reason, and processing continues. */
class DeadLetterIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void poisonGoesToTheDeadLetterTopicAndTheAnalyserCarriesOn() throws Exception {
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        try (LocalPipeline pipeline = TestKafka.pipeline(RuleSet.load(ROOT.resolve("rules")), alerts::add)) {
            byte[] poison = "not an avro record".getBytes(StandardCharsets.UTF_8);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                // the same key as the scenario's VM: it sits in the same partition, before the good events
                p.send(new ProducerRecord<>("faultline.events", "it/4242/12@100.000026".getBytes(StandardCharsets.UTF_8),
                        poison)).get();
            }
            pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "it");
            pipeline.awaitProcessed(Duration.ofSeconds(120));

            assertThat(alerts).extracting(Alert::getRule)
                    .containsExactlyInAnyOrder("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");

            List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of("faultline.events.dlq"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (dead.isEmpty() && System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(dead::add);
                }
            }
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.value()).isEqualTo(poison);
                String reason = new String(r.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8);
                assertThat(reason).contains("faultline.events").contains("cannot decode");
                assertThat(new String(r.headers().lastHeader("__streams.errors.topic").value(), StandardCharsets.UTF_8))
                        .isEqualTo("faultline.events");
            });
        }
    }
}
