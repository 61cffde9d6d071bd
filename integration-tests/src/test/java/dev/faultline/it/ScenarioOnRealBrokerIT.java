package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.query.GfnRange;
import dev.faultline.analyser.query.VmReader;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo scenario through the real pipeline: collector → in-process Kafka broker →
 * Kafka Streams analyser (exactly-once, RocksDB) → faultline.alerts. Exactly the two planted
 * violations alert; the ordinary traffic around them raises nothing.
 */
class ScenarioOnRealBrokerIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<Alert> alerts = new CopyOnWriteArrayList<>();
    static LocalPipeline pipeline;
    static CollectorStats stats;

    @BeforeAll
    static void run() throws Exception {
        pipeline = TestKafka.pipeline(RuleSet.load(ROOT.resolve("rules")), alerts::add);
        stats = pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "it-host");
        pipeline.awaitProcessed(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void exactlyTheTwoPlantedViolationsAlert() {
        assertThat(alerts).extracting(Alert::getRule)
                .containsExactlyInAnyOrder("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
        String vm = "it-host/4242/12@100.000026";
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.getVm()).isEqualTo(vm);
            assertThat(a.getHost()).isEqualTo("it-host");
            assertThat(a.getEvidence()).isNotEmpty();
        });
        Alert mmio = byRule("private-fault-emulated-mmio");
        assertThat(mmio.getPriority()).isEqualTo(Priority.CRITICAL);
        assertThat(mmio.getGfnStart()).isEqualTo(0x200L);
        assertThat(mmio.getGfnEnd()).isEqualTo(0x200L);
        assertThat(mmio.getEvidence()).extracting(e -> e.getType()).containsExactly("PageFault", "Mmio");
        Alert punch = byRule("gmem-invalidation-outside-binding");
        assertThat(punch.getPriority()).isEqualTo(Priority.ERROR);
        assertThat(punch.getGfnStart()).isEqualTo(0x3ff00L);
        assertThat(punch.getGfnEnd()).isEqualTo(0x3ffffL);
        assertThat(punch.getEvidence()).singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("GmemInvalidation"));
    }

    /** The analyser's state answers interactive queries: the scenario VM with its gmem-bound memslot. */
    @Test
    void vmStateIsQueryable() {
        String vm = "it-host/4242/12@100.000026";
        assertThat(pipeline.queries().localVms()).containsOnlyKeys(vm);
        var state = pipeline.queries().localVm(vm).orElseThrow();
        assertThat(state.host()).isEqualTo("it-host");
        assertThat(state.memslots()).singleElement().satisfies(slot -> {
            assertThat(slot.gpa()).isZero();
            assertThat(slot.size()).isEqualTo(0x40000000L);
            assertThat(slot.bound()).isTrue();
        });
        assertThat(pipeline.queries().localVm("it-host/1/1@0.000001")).isEmpty();
    }

    /**
     * Memory attributes answer now and as of a time: the guest turned all of its 1 GiB private, then
     * converted GFNs 0x100-0x10f back to shared; before that conversion 0x100 was private.
     */
    @Test
    void attributesAnswerNowAndAsOfATime() {
        var view = pipeline.queries().localView("it-host/4242/12@100.000026").orElseThrow();
        assertThat(view.attributeRanges(0, -1L, Integer.MAX_VALUE)).containsExactly(
                new GfnRange(0, 0xff, VmReader.ATTR_PRIVATE), new GfnRange(0x110, 0x3ffff, VmReader.ATTR_PRIVATE));
        assertThat(view.attributes(0x100)).isZero();
        var toShared = view.attributeChanges(Long.MIN_VALUE, Long.MAX_VALUE).stream()
                .filter(c -> c.first() == 0x100 && c.last() == 0x10f && c.attributes() == 0).findFirst().orElseThrow();
        assertThat(view.attributesAt(0x100, toShared.tsNs() - 1)).isEqualTo(VmReader.ATTR_PRIVATE);
        assertThat(view.attributesAt(0x100, toShared.tsNs())).isZero();
        assertThat(view.attributesAt(0x200, toShared.tsNs())).isEqualTo(VmReader.ATTR_PRIVATE);
    }

    /** faultline.events holds every collected event once, keyed by VM id, with per-host sequence numbers. */
    @Test
    void eventsTopicHoldsEveryEventKeyedByVm() {
        List<ConsumerRecord<String, Event>> records = new ArrayList<>();
        try (KafkaConsumer<String, Event> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-events-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), AvroSerde.events())) {
            c.subscribe(List.of("faultline.events"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < stats.totalEvents() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).hasSize((int) stats.totalEvents());
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getHeader().getVm()));
        Set<Long> seqs = new HashSet<>();
        records.forEach(r -> seqs.add(r.value().getHeader().getSeq()));
        assertThat(seqs).hasSize(records.size()).contains(1L, stats.totalEvents());
    }

    static Alert byRule(String rule) {
        return alerts.stream().filter(a -> a.getRule().equals(rule)).findFirst().orElseThrow();
    }
}
