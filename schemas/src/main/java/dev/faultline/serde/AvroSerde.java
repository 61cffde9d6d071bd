package dev.faultline.serde;

import dev.faultline.alerts.Alert;
import dev.faultline.events.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (magic 0xC3 0x01, schema fingerprint, body) for Kafka clients and
 * Streams. The writer schemas of every released version are registered with the decoder, so a
 * record written by any release decodes into the current classes without a schema registry.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Avro 1.12.2 decodes only trusted classes: trust exactly our generated packages, keep the rest. */
    private static final List<String> TRUSTED_PACKAGES = List.of("dev.faultline.events.", "dev.faultline.alerts.");

    static {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                c -> TRUSTED_PACKAGES.stream().anyMatch(p -> c.getName().startsWith(p))));
    }

    private final String recordName;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final java.util.function.Function<T, byte[]> fastEncoder;

    public AvroSerde(Schema current, List<Schema> released) {
        this(current, released, null);
    }

    private AvroSerde(Schema current, List<Schema> released, java.util.function.Function<T, byte[]> fastEncoder) {
        SpecificData model = SpecificData.getForSchema(current);
        // the generated customEncode/customDecode of nested records, instead of reflective field access
        model.setCustomCoders(true);
        this.recordName = current.getFullName();
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        this.fastEncoder = fastEncoder;
        released.forEach(decoder::addSchema);
    }

    /** The serde for {@code faultline.events}. */
    public static AvroSerde<Event> events() {
        return new AvroSerde<>(Event.getClassSchema(), ReleasedSchemas.all("Event"), EventEncoder::encode);
    }

    /** The serde for {@code faultline.alerts}. */
    public static AvroSerde<Alert> alerts() {
        return new AvroSerde<>(Alert.getClassSchema(), ReleasedSchemas.all("Alert"));
    }

    public byte[] encode(T value) {
        if (fastEncoder != null) {
            return fastEncoder.apply(value);
        }
        try {
            ByteBuffer buf = encoder.encode(value);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes one record; throws {@link SerializationException} saying what is wrong with the bytes. */
    public T decode(byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + recordName + " from " + bytes.length
                    + " bytes: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decode(data);
        } catch (SerializationException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e.getCause());
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Schemas are compiled in: nothing to configure.
    }

    @Override
    public void close() {
        // Stateless: nothing to release.
    }
}
