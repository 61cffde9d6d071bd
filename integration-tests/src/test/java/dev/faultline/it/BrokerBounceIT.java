package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Topics;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md §8 against the broker: three brokers (replication 3, min ISR 2) and a controller in this JVM
 * (KafkaClusterTestKit); the collector and two analysers are processes of the unpacked archive. While
 * the collector produces a simulated host at a fixed rate, the leader of faultline.events' partition 0
 * is stopped and started again, then all three brokers are stopped for 30 s and started again. Nobody
 * restarts the collector or the analysers: faultline.events ends up holding exactly the host's sequence
 * numbers 1..N, and faultline.alerts ({@code read_committed}) what {@code faultline check} finds in the
 * trace the collector wrote. Stopping a broker here is its orderly shutdown (a broker in this JVM cannot
 * be SIGKILLed; AnalyserKilledIT kills analysers that way).
 */
class BrokerBounceIT {
    private static final String HOST = "bounce";
    private static final Duration CATCH_UP = Duration.ofMinutes(6);

    @TempDir
    static Path dir;

    @Test
    void collectorAndAnalysersRideOutALeaderBounceAndAWholeClusterOutage() throws Exception {
        Path home = Distribution.unpack(Files.createDirectory(dir.resolve("install")));
        List<String> injectable = RuleSet.load(Path.of("../rules")).rules().keySet().stream()
                .filter(SimulationConfig::canInject).toList();
        try (KafkaClusterTestKit kafka = cluster()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic(Topics.EVENTS, 6, (short) 3), new NewTopic(Topics.ALERTS, 3, (short) 3),
                        new NewTopic(Topics.DEAD_LETTERS, 1, (short) 3))).all().get();
            }
            Map<String, String> props = Map.of("replication.factor", "3", "session.timeout.ms", "6000",
                    "heartbeat.interval.ms", "1500");
            Path trace = dir.resolve(HOST + ".trace");
            try (AnalyserProcess a = AnalyserProcess.start(home, "a", bootstrap, dir.resolve("a"), props);
                    AnalyserProcess b = AnalyserProcess.start(home, "b", bootstrap, dir.resolve("b"), props)) {
                Path collectorLog = dir.resolve("collector.log");
                long eventsProduced;
                Process collector = new ProcessBuilder(home.resolve("bin/faultline").toString(), "collect",
                        "--source", "simulate", "--seed", "5", "--vms", "20", "--events", "100000", "--rate", "3000",
                        "--inject", String.join(",", injectable), "--inject-every", "200", "--write-trace", trace.toString(),
                        "--host", HOST, "--bootstrap-servers", bootstrap)
                        .redirectErrorStream(true).redirectOutput(collectorLog.toFile()).start();
                try {
                    AlertOracle.awaitCommitted(bootstrap, 20_000, CATCH_UP);
                    int leader = leaderOfEventsPartition0(kafka);
                    BrokerServer broker = kafka.brokers().get(leader);
                    broker.shutdown();
                    broker.awaitShutdown();
                    Thread.sleep(10_000);
                    broker.startup();

                    AlertOracle.awaitCommitted(bootstrap, 60_000, CATCH_UP);
                    for (BrokerServer s : kafka.brokers().values()) {
                        s.shutdown();
                        s.awaitShutdown();
                    }
                    Thread.sleep(30_000);
                    for (BrokerServer s : kafka.brokers().values()) {
                        s.startup();
                    }
                    assertThat(collector.waitFor(6, TimeUnit.MINUTES)).as("the collector finished").isTrue();
                    String collected = Files.readString(collectorLog);
                    assertThat(collector.exitValue()).as(collected).isZero();
                    Matcher produced = Pattern.compile("produced to faultline.events: ([0-9]+), failed: 0").matcher(collected);
                    assertThat(produced.find()).as(collected).isTrue();
                    eventsProduced = Long.parseLong(produced.group(1));
                } finally {
                    collector.destroyForcibly();
                }
                AlertOracle.awaitCommitted(bootstrap, Long.MAX_VALUE, CATCH_UP);
                AlertOracle.awaitFoldWindows();
                assertThat(a.alive()).as("analyser a carried on:%n%s", a.tail()).isTrue();
                assertThat(b.alive()).as("analyser b carried on:%n%s", b.tail()).isTrue();

                assertThat(sequencesOnTheTopic(bootstrap)).as("faultline.events holds 1..N once each")
                        .satisfies(seqs -> {
                            assertThat(seqs).hasSize((int) eventsProduced); // none lost at the tail either
                            for (int i = 0; i < seqs.size(); i++) {
                                assertThat(seqs.get(i)).as("position %d", i).isEqualTo(i + 1L);
                            }
                        });
                assertThat(AlertOracle.streamed(bootstrap)).as("faultline.alerts against check").isEqualTo(AlertOracle.check(trace));
            }
        }
    }

    private static KafkaClusterTestKit cluster() throws Exception {
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(false).setNumControllerNodes(1).setNumBrokerNodes(3).setBaseDirectory(dir.resolve("kafka")).build())
                .setConfigProp("default.replication.factor", "3")
                .setConfigProp("min.insync.replicas", "2")
                .setConfigProp("offsets.topic.replication.factor", "3")
                .setConfigProp("transaction.state.log.replication.factor", "3")
                .setConfigProp("transaction.state.log.min.isr", "2")
                .setConfigProp("unclean.leader.election.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }

    private static int leaderOfEventsPartition0(KafkaClusterTestKit kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            TopicDescription d = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS);
            TopicPartitionInfo p0 = d.partitions().get(0);
            return p0.leader().id();
        }
    }

    /** The header sequence numbers of every event on faultline.events, sorted. */
    private static List<Long> sequencesOnTheTopic(String bootstrap) {
        List<Long> seqs = new ArrayList<>();
        for (Event e : TopicReader.values(bootstrap, Topics.EVENTS, AvroSerde.events().deserializer())) {
            seqs.add(e.getHeader().getSeq());
        }
        seqs.sort(null);
        return seqs;
    }
}
