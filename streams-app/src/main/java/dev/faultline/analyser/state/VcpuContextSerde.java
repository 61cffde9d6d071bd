package dev.faultline.analyser.state;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A fixed binary layout for {@link VcpuContext}: it is read and written on every fault and MMIO, so
 * JSON would be the hot path's main cost. Layout, after the {@link StateFormat} tag: flags byte (bit 0 fault GFN set, bit 1 private known,
 * bit 2 private, bit 3 pending read set), then fault GFN, seq, ts, error code, pending read GPA.
 */
public final class VcpuContextSerde implements Serde<VcpuContext> {
    private static final int SIZE = 1 + 5 * 8;

    @Override
    public Serializer<VcpuContext> serializer() {
        return (topic, c) -> {
            if (c == null) {
                return null;
            }
            int flags = (c.lastFaultGfn != null ? 1 : 0) | (c.lastFaultPrivate != null ? 2 : 0)
                    | (Boolean.TRUE.equals(c.lastFaultPrivate) ? 4 : 0) | (c.pendingReadGpa != null ? 8 : 0);
            return ByteBuffer.wrap(StateFormat.allocate(SIZE)).position(StateFormat.TAG).put((byte) flags)
                    .putLong(c.lastFaultGfn == null ? 0 : c.lastFaultGfn).putLong(c.lastFaultSeq).putLong(c.lastFaultTsNs)
                    .putLong(c.lastFaultErrorCode).putLong(c.pendingReadGpa == null ? 0 : c.pendingReadGpa).array();
        };
    }

    @Override
    public Deserializer<VcpuContext> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            // state release 0 wrote the layout alone
            int at = StateFormat.payloadStart(data, data.length == SIZE, "vCPU context in " + topic);
            if (data.length != at + SIZE) {
                throw new SerializationException("vCPU context of " + data.length + " bytes, expected " + (StateFormat.TAG + SIZE));
            }
            ByteBuffer b = ByteBuffer.wrap(data, at, SIZE);
            int flags = b.get();
            VcpuContext c = new VcpuContext();
            long gfn = b.getLong();
            c.lastFaultGfn = (flags & 1) != 0 ? gfn : null;
            c.lastFaultPrivate = (flags & 2) != 0 ? (flags & 4) != 0 : null;
            c.lastFaultSeq = b.getLong();
            c.lastFaultTsNs = b.getLong();
            c.lastFaultErrorCode = b.getLong();
            long read = b.getLong();
            c.pendingReadGpa = (flags & 8) != 0 ? read : null;
            return c;
        };
    }
}
