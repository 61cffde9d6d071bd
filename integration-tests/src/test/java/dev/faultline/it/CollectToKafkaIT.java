package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.cli.Faultline;
import dev.faultline.events.Event;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.VmCreated;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** {@code faultline collect --bootstrap-servers} on the real gmem capture, into the real broker. */
class CollectToKafkaIT {
    static final Path REAL = Path.of(System.getProperty("shared.dir", "../../shared"), "fixtures/real");

    @Test
    void collectProducesEveryEventKeyedByVm() {
        try (KafkaCluster kafka = TestKafka.start()) {
            int code = Faultline.run("collect", "--source", "replay:" + REAL.resolve("gmem_create_bind_punch.trace"),
                    "--bootstrap-servers", kafka.bootstrapServers(), "--host", "lab", "-X", "client.id=it-collector");
            assertThat(code).isZero();

            List<ConsumerRecord<String, Event>> records = new ArrayList<>();
            try (KafkaConsumer<String, Event> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), AvroSerde.events())) {
                c.subscribe(List.of("faultline.events"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (records.size() < 225 && System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(records::add);
                }
                // nothing more arrives: exactly once each
                records.addAll(toList(c.poll(Duration.ofSeconds(1))));
            }
            assertThat(records).hasSize(225);
            assertThat(records).extracting(ConsumerRecord::key).containsOnly("lab/10239/5@459.768880");
            // one VM, one key: one partition, so the collector's order is kept
            assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
            List<Long> seqs = records.stream().map(r -> r.value().getHeader().getSeq()).toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(records.get(0).value().getBody()).isInstanceOf(VmCreated.class);
            assertThat(records.stream().filter(r -> r.value().getBody() instanceof GmemInvalidation)).hasSize(2);
        }
    }

    private static <K, V> List<ConsumerRecord<K, V>> toList(Iterable<ConsumerRecord<K, V>> it) {
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }
}
