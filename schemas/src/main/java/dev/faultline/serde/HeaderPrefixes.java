package dev.faultline.serde;

import dev.faultline.events.EventHeader;
import java.io.IOException;
import java.util.Objects;

/**
 * Writes an {@link EventHeader} with the bytes of its leading fields (vm, host, tgid, tid, comm, vcpu) kept
 * per thread id: every event of a vCPU thread repeats them, and writing two strings, three unions and an int
 * again for each event was a large part of the encoding. An entry is used only when all six fields equal
 * the header's, so a changed field is a miss, never stale bytes. The fields in the schema's order, as the
 * generated {@code customEncode} writes them (AvroSerdeTest compares the bytes with Avro's).
 * Not thread-safe: one per encoding thread.
 */
final class HeaderPrefixes {
    private static final int SLOTS = 64;

    private final Entry[] byTid = new Entry[SLOTS];
    private final ArrayEncoder scratch = new ArrayEncoder();

    void write(EventHeader h, ArrayEncoder out) throws IOException {
        int slot = h.getTid() & (SLOTS - 1);
        Entry known = byTid[slot];
        if (known == null || !known.sameAs(h)) {
            known = new Entry(h, leadingFields(h));
            byTid[slot] = known;
        }
        out.writeFixed(known.bytes, 0, known.bytes.length);
        out.writeInt(h.getCpu());
        out.writeLong(h.getKernelTsNs());
        out.writeLong(h.getWallTsMs());
        out.writeLong(h.getSeq());
        out.writeEnum(h.getSource().ordinal());
    }

    private byte[] leadingFields(EventHeader h) throws IOException {
        scratch.reset();
        scratch.writeString(h.getVm());
        scratch.writeString(h.getHost());
        writeOptional(h.getTgid());
        scratch.writeInt(h.getTid());
        scratch.writeIndex(h.getComm() == null ? 0 : 1); // union {null, string}
        if (h.getComm() != null) {
            scratch.writeString(h.getComm());
        }
        writeOptional(h.getVcpu());
        return scratch.toByteArray();
    }

    /** A union {null, int}: the branch, then the value if any. */
    private void writeOptional(Integer value) throws IOException {
        scratch.writeIndex(value == null ? 0 : 1);
        if (value != null) {
            scratch.writeInt(value);
        }
    }

    /**
     * tgid and vcpu kept as values ({@link #NONE} for null): comparing the header's boxes with boxes kept
     * here read two objects per field, and the kept ones were rarely still in the caches.
     */
    private record Entry(String vm, String host, long tgid, int tid, String comm, long vcpu, byte[] bytes) {
        private static final long NONE = Long.MIN_VALUE; // outside int's range: no value is mistaken for null

        Entry(EventHeader h, byte[] bytes) {
            this(h.getVm(), h.getHost(), value(h.getTgid()), h.getTid(), h.getComm(), value(h.getVcpu()), bytes);
        }

        private static long value(Integer boxed) {
            return boxed == null ? NONE : boxed;
        }

        /** Strings compare by identity first: the collector pools them, so equal ones are nearly always the same object. */
        boolean sameAs(EventHeader h) {
            return tid == h.getTid() && tgid == value(h.getTgid()) && vcpu == value(h.getVcpu())
                    && Objects.equals(vm, h.getVm()) && Objects.equals(host, h.getHost())
                    && Objects.equals(comm, h.getComm());
        }
    }
}
