package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Topics;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.events.Event;
import dev.faultline.events.EventSource;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md §8, poison: 1 000 000 records on faultline.events, the good events of a simulated host (24 VMs,
 * violations injected) interleaved in their VMs' partitions with bad ones (random bytes, truncated Avro,
 * wrong single-object marker, wrong schema fingerprint, a huge length where the first string starts). The
 * analyser (a process of the archive) never stops; every bad record, and nothing else, is in the
 * dead-letter topic once, with the reason in its headers; Kafka Streams' dropped-records count on /metrics
 * says how many; and faultline.alerts holds what {@code faultline check} finds in the good events' trace.
 */
class PoisonIT {
    private static final String HOST = "poison";
    private static final int RECORDS = 1_000_000;
    private static final Duration CATCH_UP = Duration.ofMinutes(8);

    @TempDir
    static Path dir;

    enum Bad { RANDOM_BYTES, TRUNCATED, WRONG_MARKER, WRONG_FINGERPRINT, HUGE_LENGTH }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndGoodOnesGiveChecksAlerts() throws Exception {
        RuleSet rules = RuleSet.load(Path.of("../rules"));
        Path trace = AlertOracle.simulatedTrace(dir.resolve(HOST + ".trace"), 31, 24, 50_000, rules.rules().keySet(), 200);
        Map<String, AlertOracle.Key> oracle = AlertOracle.check(trace);
        List<Event> good = eventsOf(trace);
        Path home = Distribution.unpack(Files.createDirectory(dir.resolve("install")));
        AvroSerde<Event> serde = AvroSerde.events();
        Random random = new Random(97);
        Map<ByteBuffer, Integer> badSent = new HashMap<>();
        Map<Bad, Integer> kinds = new TreeMap<>();
        try (KafkaCluster kafka = TestKafka.start();
                AnalyserProcess analyser = AnalyserProcess.start(home, "a", kafka.bootstrapServers(), dir.resolve("state"), Map.of())) {
            int bad = RECORDS - good.size();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, "20"), new ByteArraySerializer(), new ByteArraySerializer())) {
                int g = 0;
                for (int i = 0; i < RECORDS; i++) {
                    // the good events in order, the bad ones spread between them at random
                    boolean sendGood = g < good.size() && random.nextInt(RECORDS - i) < good.size() - g;
                    Event e = good.get(Math.min(g, good.size() - 1));
                    byte[] key = e.getHeader().getVm().getBytes(StandardCharsets.UTF_8);
                    byte[] value;
                    if (sendGood) {
                        value = serde.encode(e);
                        g++;
                    } else {
                        Bad kind = Bad.values()[random.nextInt(Bad.values().length)];
                        value = poison(kind, serde.encode(e), random);
                        kinds.merge(kind, 1, Integer::sum);
                        badSent.merge(ByteBuffer.wrap(value), 1, Integer::sum);
                        if (random.nextInt(10) == 0) {
                            key = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8); // a partition of no VM
                        }
                    }
                    p.send(new ProducerRecord<>(Topics.EVENTS, key, value));
                }
                p.flush();
                assertThat(g).isEqualTo(good.size());
            }
            AlertOracle.awaitCommitted(kafka.bootstrapServers(), Long.MAX_VALUE, CATCH_UP);
            AlertOracle.awaitFoldWindows();
            assertThat(analyser.alive()).as("the analyser carried on:%n%s", analyser.tail()).isTrue();
            assertThat(Files.size(analyser.log)).as("a counted report every 10 s, not a warning per record:%n%s",
                    analyser.tail()).isLessThan(1 << 20);
            assertThat(Files.readString(analyser.log)).contains("undecodable, sent to " + Topics.DEAD_LETTERS);
            System.out.println("PoisonIT: " + good.size() + " good events, " + bad + " bad records " + kinds);

            Map<ByteBuffer, Integer> dead = new HashMap<>();
            int withReason = 0;
            for (var r : TopicReader.all(kafka.bootstrapServers(), Topics.DEAD_LETTERS, new ByteArrayDeserializer())) {
                dead.merge(ByteBuffer.wrap(r.value()), 1, Integer::sum);
                var h = r.headers().lastHeader("__streams.errors.message");
                if (h != null && new String(h.value(), StandardCharsets.UTF_8).contains("cannot decode")) {
                    withReason++;
                }
            }
            assertThat(dead.values().stream().mapToInt(Integer::intValue).sum()).as("dead letters").isEqualTo(bad);
            assertThat(dead).as("exactly the bad records, once each").isEqualTo(badSent);
            assertThat(withReason).as("each with its reason").isEqualTo(bad);

            String metrics = analyser.get("/metrics").body();
            double dropped = metrics.lines().filter(l -> l.startsWith("kafka_stream_task_dropped_records_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(dropped).as("dropped records on /metrics").isEqualTo(bad);

            assertThat(AlertOracle.streamed(kafka.bootstrapServers())).as("the good events' alerts").isEqualTo(oracle);
        }
    }

    /** The events of a trace as the collector resolves them for host {@link #HOST}. */
    private static List<Event> eventsOf(Path trace) throws Exception {
        List<Event> out = new ArrayList<>();
        TracePipeline pipeline = new TracePipeline(new HostContext(HOST, EventSource.REPLAY, Clock.systemUTC(), 47, 1),
                new EventSink() {
                    @Override
                    public void accept(Event e) {
                        out.add(e);
                    }
                }, new CollectorStats());
        new ReplaySource(trace.toString()).runBytes(pipeline);
        pipeline.finish();
        return out;
    }

    /** A bad record of {@code kind} made from a good one's bytes. */
    private static byte[] poison(Bad kind, byte[] good, Random random) {
        switch (kind) {
            case RANDOM_BYTES -> {
                byte[] b = new byte[1 + random.nextInt(300)];
                random.nextBytes(b);
                return b;
            }
            case TRUNCATED -> {
                return Arrays.copyOf(good, random.nextInt(good.length));
            }
            case WRONG_MARKER -> {
                byte[] b = good.clone();
                b[random.nextInt(2)] ^= (byte) (1 << random.nextInt(8));
                return b;
            }
            case WRONG_FINGERPRINT -> {
                byte[] b = good.clone();
                b[2 + random.nextInt(8)] ^= (byte) (1 << random.nextInt(8));
                return b;
            }
            default -> {
                // after the 10-byte header, the first field of the record: a length of about 2^31 as a zig-zag varint
                byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f};
                byte[] b = new byte[good.length + huge.length];
                System.arraycopy(good, 0, b, 0, 10);
                System.arraycopy(huge, 0, b, 10, huge.length);
                System.arraycopy(good, 10, b, 10 + huge.length, good.length - 10);
                return b;
            }
        }
    }
}
