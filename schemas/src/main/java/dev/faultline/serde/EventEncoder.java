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
 * 64-bit fingerprint (little-endian), the header (its leading fields kept per thread, {@link HeaderPrefixes}),
 * the union branch, and the body's generated {@code customEncode}. Byte for byte what Avro's
 * BinaryMessageEncoder writes (tested), but
 * without its reflective field access: Avro generates no custom coder for the envelope, because of its
 * union of records, and the collector encodes every event it sees.
 */
final class EventEncoder {
    private static final byte[] PREFIX = prefix(Event.getClassSchema());
    private static final Map<Class<?>, Integer> BRANCH = branches();
    private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(Writer::new);
    /** The collector encodes on one thread: its writer is kept here, saving a ThreadLocal lookup per event. */
    private static volatile Thread owner;
    private static Writer ownerWriter;

    /** What one thread encodes with: the output array and the header bytes it keeps. */
    private record Writer(ArrayEncoder out, HeaderPrefixes headers) {
        Writer() {
            this(new ArrayEncoder(), new HeaderPrefixes());
        }
    }

    private EventEncoder() {
    }

    static byte[] encode(Event e) {
        Writer w = writerForThisThread();
        ArrayEncoder enc = w.out();
        enc.reset();
        try {
            enc.writeFixed(PREFIX, 0, PREFIX.length);
            w.headers().write(e.getHeader(), enc);
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

    private static Writer writerForThisThread() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            return ownerWriter;
        }
        Writer mine = WRITER.get();
        Thread current = owner;
        if (current == null || !current.isAlive()) { // the first encoding thread, or the next once it ended
            synchronized (EventEncoder.class) {
                if (owner == current) {
                    ownerWriter = mine;
                    owner = me; // volatile write after the writer: another thread seeing owner sees it too
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
