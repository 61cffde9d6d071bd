package dev.faultline.analyser.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** JSON for the analyser's small state records (readable in changelogs and state dumps), after the {@link StateFormat} tag. */
public final class JsonSerde<T> implements Serde<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            try {
                if (data == null) {
                    return null;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                out.write(StateFormat.allocate(0));
                MAPPER.writeValue(out, data);
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName(), e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            try {
                if (data == null) {
                    return null;
                }
                // state release 0 wrote the JSON alone
                int at = StateFormat.payloadStart(data, data.length > 0 && data[0] == '{', type.getSimpleName() + " in " + topic);
                return MAPPER.readValue(data, at, data.length - at, type);
            } catch (IOException e) {
                throw new SerializationException("cannot read " + type.getSimpleName() + " from " + topic, e);
            }
        };
    }
}
