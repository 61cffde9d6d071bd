package dev.faultline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.events.Event;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every released schema version stays readable by the current classes. */
class SchemaCompatibilityTest {

    static Stream<Arguments> releases() {
        return ReleasedSchemas.versions().stream().flatMap(v -> Stream.of(
                Arguments.of(v, "Event", Event.getClassSchema()),
                Arguments.of(v, "Alert", Alert.getClassSchema())));
    }

    @Test
    void atLeastOneReleaseIsKept() {
        assertThat(ReleasedSchemas.versions()).isNotEmpty();
    }

    @ParameterizedTest(name = "release {0} {1}")
    @MethodSource("releases")
    void currentReadsRelease(String version, String record, Schema current) {
        Schema released = ReleasedSchemas.of(version, record);
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        assertThat(result.getType())
                .as("current %s cannot read release %s: %s", record, version, result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    /** Bytes written by a release (generic writer, released schema) decode with today's serde. */
    @ParameterizedTest(name = "release {0} {1} bytes")
    @MethodSource("releases")
    void releasedBytesDecode(String version, String record, Schema current) throws Exception {
        Schema released = ReleasedSchemas.of(version, record);
        BinaryMessageEncoder<Object> oldWriter = new BinaryMessageEncoder<>(GenericData.get(), released);
        AvroSerde<?> serde = record.equals("Event") ? AvroSerde.events() : AvroSerde.alerts();
        for (int seed = 0; seed < 50; seed++) {
            Object old = new RandomRecords(seed, GenericData.get()).of(released);
            ByteBuffer buf = oldWriter.encode(old);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            Object decoded = serde.decode(bytes);
            assertThat(asReleased(decoded, current, released)).isEqualTo(old.toString());
        }
    }

    /**
     * A decoded record seen through a released schema: fields added since (with their defaults) left out, so what
     * the release wrote is compared with what came back of it.
     */
    private static String asReleased(Object decoded, Schema current, Schema released) throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<Object>(current).write(decoded, enc);
        enc.flush();
        var dec = org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
        return new org.apache.avro.generic.GenericDatumReader<Object>(current, released).read(null, dec).toString();
    }

    /** The check above can fail: a new required field without a default is refused. */
    @Test
    void incompatibleChangeIsDetected() {
        Schema released = ReleasedSchemas.of(ReleasedSchemas.versions().get(0), "Alert");
        Schema broken = new Schema.Parser().parse(Alert.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"required_new\",\"type\":\"long\"},"));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, released).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(List.of(broken.getField("required_new"))).isNotNull();
    }
}
