package dev.faultline.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.alerts.Alert;
import dev.faultline.events.Event;
import dev.faultline.events.EventHeader;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    static Stream<Schema> bodies() {
        return Event.getClassSchema().getField("body").schema().getTypes().stream();
    }

    /** Every body round-trips, several seeds each, 64-bit extremes included. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void everyBodyRoundTrips(Schema body) {
        AvroSerde<Event> serde = AvroSerde.events();
        SpecificData model = SpecificData.getForSchema(Event.getClassSchema());
        IntStream.range(0, 20).forEach(seed -> {
            Event e = (Event) new RandomRecords(seed, model).of(Event.getClassSchema());
            e.setBody(new RandomRecords(seed, model).of(body));
            byte[] bytes = serde.serialize("faultline.events", e);
            assertThat(bytes[0]).isEqualTo((byte) 0xC3);
            assertThat(bytes[1]).isEqualTo((byte) 0x01);
            assertThat(serde.deserialize("faultline.events", bytes)).isEqualTo(e);
        });
    }

    /** The direct envelope encoder writes exactly what Avro's own single-object encoder writes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void directEncoderMatchesAvrosBytes(Schema body) throws Exception {
        SpecificData model = SpecificData.getForSchema(Event.getClassSchema());
        BinaryMessageEncoder<Event> avro = new BinaryMessageEncoder<>(new SpecificData(), Event.getClassSchema());
        for (int seed = 0; seed < 20; seed++) {
            Event e = (Event) new RandomRecords(seed, model).of(Event.getClassSchema());
            e.setBody(new RandomRecords(seed, model).of(body));
            ByteBuffer expected = avro.encode(e);
            byte[] want = new byte[expected.remaining()];
            expected.get(want);
            assertThat(EventEncoder.encode(e)).isEqualTo(want);
        }
    }

    /**
     * Header bytes kept per thread id are used only for the same six leading fields: a run of events on
     * thread ids that share a slot (1, 65, 129), each field changing alone now and then, to equal strings
     * that are other objects and to null, gives Avro's bytes every time.
     */
    @Test
    void keptHeaderBytesFollowEveryFieldChange() throws Exception {
        BinaryMessageEncoder<Event> avro = new BinaryMessageEncoder<>(new SpecificData(), Event.getClassSchema());
        SpecificData model = SpecificData.getForSchema(Event.getClassSchema());
        String[] strings = {"host/1/5@1.0", new String("host/1/5@1.0"), "vCPU 0/KVM", "ѵcpu-ü", ""};
        Integer[] ints = {null, 0, 5, 300, 100_000, Integer.valueOf(300)};
        int[] tids = {1, 65, 129};
        Random r = new Random(7);
        Event e = (Event) new RandomRecords(1, model).of(Event.getClassSchema());
        for (int i = 0; i < 5000; i++) {
            EventHeader h = e.getHeader();
            switch (r.nextInt(8)) {
                case 0 -> h.setVm(strings[r.nextInt(strings.length)]);
                case 1 -> h.setHost(strings[r.nextInt(strings.length)]);
                case 2 -> h.setTgid(ints[r.nextInt(ints.length)]);
                case 3 -> h.setTid(tids[r.nextInt(tids.length)]);
                case 4 -> h.setComm(r.nextInt(5) == 0 ? null : strings[r.nextInt(strings.length)]);
                case 5 -> h.setVcpu(ints[r.nextInt(ints.length)]);
                case 6 -> h.setCpu(r.nextInt(300));
                default -> h.setSeq(r.nextLong());
            }
            ByteBuffer expected = avro.encode(e);
            byte[] want = new byte[expected.remaining()];
            expected.get(want);
            assertThat(EventEncoder.encode(e)).as("event %d: %s", i, h).isEqualTo(want);
        }
    }

    /**
     * The encoder keeps the UTF-8 of strings it wrote: strings with equal hashes ("Aa" and "BB"), equal
     * strings that are different objects, non-ASCII text, and several threads at once all still give
     * Avro's bytes.
     */
    @Test
    void cachedStringsNeverLeakIntoOtherRecords() throws Exception {
        BinaryMessageEncoder<Event> avro = new BinaryMessageEncoder<>(new SpecificData(), Event.getClassSchema());
        SpecificData model = SpecificData.getForSchema(Event.getClassSchema());
        String[] names = {"Aa", "BB", "AaAa", "BBBB", "AaBB", new String("Aa"), "vCPU 0/KVM", "ѵcpu-ü", "", "host/1/5@1.0"};
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        Event e = (Event) new RandomRecords(i, model).of(Event.getClassSchema());
                        e.getHeader().setVm(names[(i + thread) % names.length]);
                        e.getHeader().setHost(names[(i * 7 + thread) % names.length]);
                        e.getHeader().setComm(names[(i * 3) % names.length]);
                        ByteBuffer expected = avro.encode(e);
                        byte[] want = new byte[expected.remaining()];
                        expected.get(want);
                        assertThat(EventEncoder.encode(e)).as("record %d on thread %d", i, thread).isEqualTo(want);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void alertRoundTrips() {
        AvroSerde<Alert> serde = AvroSerde.alerts();
        SpecificData model = SpecificData.getForSchema(Alert.getClassSchema());
        for (int seed = 0; seed < 20; seed++) {
            Alert a = (Alert) new RandomRecords(seed, model).of(Alert.getClassSchema());
            assertThat(serde.deserialize("faultline.alerts", serde.serialize("faultline.alerts", a))).isEqualTo(a);
        }
    }

    @Test
    void garbageIsASerializationErrorNamingTheTopic() {
        AvroSerde<Event> serde = AvroSerde.events();
        assertThatThrownBy(() -> serde.deserialize("faultline.events", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("faultline.events")
                .hasMessageContaining("3 bytes");
        byte[] good = serde.serialize("t", (Event) new RandomRecords(1, SpecificData.getForSchema(Event.getClassSchema()))
                .of(Event.getClassSchema()));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> serde.deserialize("faultline.events", truncated))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void nullStaysNull() {
        assertThat(AvroSerde.events().serialize("t", null)).isNull();
        assertThat(AvroSerde.events().deserialize("t", null)).isNull();
    }
}
