package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.DiskSpool;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.events.Event;
import dev.faultline.events.LossReason;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.Pio;
import dev.faultline.events.TraceLoss;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is killed for 30 s during a live capture of real KVM workloads. The collector keeps
 * draining the kernel, spools, and drains the spool when the broker is back: the events in Kafka are
 * exactly the host's sequence 1..N, in order per partition, and each workload's PIO and MMIO are all
 * there. Needs root, tracefs, /dev/kvm, gcc and bpftrace.
 */
class KafkaOutageIT {

    @Test
    void thirtySecondsWithoutABrokerLoseNothing(@TempDir Path tmp) throws Exception {
        LiveCollector.requireHost();
        Path workload = LiveCollector.workload(tmp);

        try (KafkaCluster kafka = TestKafka.start()) {
            // A small producer buffer, so the outage overflows it and the disk spool does the work.
            KafkaPublisher publisher = new KafkaPublisher(kafka.bootstrapServers(),
                    Map.of("buffer.memory", Integer.toString(64 * 1024), "batch.size", "16384", "request.timeout.ms", "5000"),
                    "faultline.events", new DiskSpool(tmp.resolve("spool"), 512L << 20), n -> { });
            LiveCollector collector = LiveCollector.start("outage", publisher, 16384);
            CollectorStats stats = collector.stats;

            Map<String, int[]> expected = new HashMap<>(); // pid -> {pio, mmio writes, mmio reads}
            long start = System.currentTimeMillis();
            boolean down = false;
            boolean back = false;
            while (System.currentTimeMillis() - start < 50_000) {
                long t = System.currentTimeMillis() - start;
                if (!down && t > 10_000) {
                    kafka.stopServer();
                    down = true;
                }
                if (down && !back && t > 40_000) {
                    kafka.startServer();
                    back = true;
                }
                Process p = new ProcessBuilder(workload.toString(), "3000").start();
                Facts f = new Facts(new String(p.getInputStream().readAllBytes()));
                assertThat(p.waitFor()).isZero();
                expected.put(f.value("pid"), new int[] {Integer.parseInt(f.value("pio_write")),
                    Integer.parseInt(f.value("mmio_write")), Integer.parseInt(f.value("mmio_read"))});
            }
            assertThat(down && back).isTrue();
            collector.stop();
            publisher.close();
            assertThat(publisher.spooled()).as("the outage went through the disk spool").isPositive();
            assertThat(publisher.overflowed()).isZero();
            assertThat(publisher.spoolBytes()).isZero();

            List<ConsumerRecord<String, Event>> records = readAll(kafka.bootstrapServers(), stats.totalEvents());
            assertThat(records).as(stats.summary()).hasSize((int) stats.totalEvents());
            // exactly the host's sequence 1..N: nothing lost, nothing twice
            assertThat(records.stream().map(r -> r.value().getHeader().getSeq()).sorted().toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, stats.totalEvents()).boxed().toList());
            // in order within every partition
            Map<Integer, Long> lastSeq = new HashMap<>();
            for (ConsumerRecord<String, Event> r : records) {
                long seq = r.value().getHeader().getSeq();
                assertThat(seq).isGreaterThan(lastSeq.getOrDefault(r.partition(), 0L));
                lastSeq.put(r.partition(), seq);
            }
            assertThat(records).noneMatch(r -> r.value().getBody() instanceof TraceLoss t
                    && t.getReason() != LossReason.UNKNOWN);
            expected.forEach((pid, counts) -> {
                List<Event> vm = records.stream().map(ConsumerRecord::value)
                        .filter(e -> e.getHeader().getTgid() != null && e.getHeader().getTgid() == Integer.parseInt(pid)).toList();
                assertThat(vm.stream().filter(e -> e.getBody() instanceof Pio)).as("pid %s PIO", pid).hasSize(counts[0]);
                assertThat(vm.stream().filter(e -> e.getBody() instanceof Mmio m && m.getKind() == MmioKind.WRITE))
                        .as("pid %s MMIO writes", pid).hasSize(counts[1]);
                assertThat(vm.stream().filter(e -> e.getBody() instanceof Mmio m && m.getKind() == MmioKind.READ))
                        .as("pid %s MMIO reads", pid).hasSize(counts[2]);
            });
            assertThat(expected).hasSizeGreaterThan(20);
        }
    }

    private static List<ConsumerRecord<String, Event>> readAll(String bootstrap, long expected) {
        List<ConsumerRecord<String, Event>> out = new ArrayList<>();
        try (KafkaConsumer<String, Event> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "outage", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000"), new StringDeserializer(), AvroSerde.events())) {
            c.subscribe(List.of("faultline.events"));
            long deadline = System.currentTimeMillis() + 120_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            c.poll(Duration.ofSeconds(1)).forEach(out::add);
        }
        return out;
    }
}
