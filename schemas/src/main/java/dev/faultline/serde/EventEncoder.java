package dev.faultline.serde;

import dev.faultline.events.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Single-object encoding of an {@link Event}, written directly: the marker {@code C3 01}, the schema's
 * 64-bit fingerprint (little-endian), the header's and the body's generated {@code customEncode}, and
 * the union branch between them. Byte for byte what Avro's BinaryMessageEncoder writes (tested), but
 * without its reflective field access: Avro generates no custom coder for the envelope, because of its
 * union of records, and the collector encodes every event it sees.
 */
final class EventEncoder {
    private static final byte[] PREFIX = prefix(Event.getClassSchema());
    private static final Map<Class<?>, Integer> BRANCH = branches();
    private static final ThreadLocal<ArrayEncoder> ENCODER = ThreadLocal.withInitial(ArrayEncoder::new);
    /** The collector encodes on one thread: its encoder is kept here, saving a ThreadLocal lookup per event. */
    private static volatile Thread owner;
    private static ArrayEncoder ownerEncoder;

    private EventEncoder() {
    }

    static byte[] encode(Event e) {
        ArrayEncoder enc = encoderForThisThread();
        enc.reset();
        try {
            enc.writeFixed(PREFIX, 0, PREFIX.length);
            e.getHeader().customEncode(enc);
            Integer branch = BRANCH.get(e.getBody().getClass());
            if (branch == null) {
                throw new IllegalArgumentException("not an event body: " + e.getBody().getClass());
            }
            enc.writeIndex(branch);
            ((SpecificRecordBase) e.getBody()).customEncode(enc);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return enc.toByteArray();
    }

    private static ArrayEncoder encoderForThisThread() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            return ownerEncoder;
        }
        ArrayEncoder mine = ENCODER.get();
        Thread current = owner;
        if (current == null || !current.isAlive()) { // the first encoding thread, or the next once it ended
            synchronized (EventEncoder.class) {
                if (owner == current) {
                    ownerEncoder = mine;
                    owner = me; // volatile write after the encoder: another thread seeing owner sees it too
                }
            }
        }
        return mine;
    }

    private static byte[] prefix(Schema schema) {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        byte[] p = new byte[10];
        p[0] = (byte) 0xC3;
        p[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            p[2 + i] = (byte) (fp >>> (8 * i));
        }
        return p;
    }

    private static Map<Class<?>, Integer> branches() {
        Map<Class<?>, Integer> m = new HashMap<>();
        List<Schema> types = Event.getClassSchema().getField("body").schema().getTypes();
        for (int i = 0; i < types.size(); i++) {
            m.put(SpecificData.get().getClass(types.get(i)), i);
        }
        return m;
    }
}
