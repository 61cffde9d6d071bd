package dev.faultline.analyser.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Every memory-attribute change of a VM with its kernel time, so "what was GFN x at time t" can be
 * answered after the fact (the question a developer asks after a crash). Keys are
 * {@code vm, 0x00, time, seq} (big-endian): a VM's changes in time order. Retention is bounded per
 * VM: past {@link #MAX_PER_VM} changes (by default) the oldest are dropped and the VM's horizon moves forward.
 */
public final class AttributeHistory {
    public static final int MAX_PER_VM = 100_000;

    /** One change: [first, last] GFNs set to {@code attributes} at {@code tsNs}. */
    public record Change(long tsNs, long seq, long first, long last, long attributes) {
    }

    private final ByteStore store;
    private final int maxPerVm;

    public AttributeHistory(KeyValueStore<Bytes, byte[]> kv) {
        this(kv, MAX_PER_VM);
    }

    public AttributeHistory(KeyValueStore<Bytes, byte[]> kv, int maxPerVm) {
        this(ByteStore.writable(kv), maxPerVm);
    }

    public AttributeHistory(ByteStore store) {
        this(store, MAX_PER_VM);
    }

    private AttributeHistory(ByteStore store, int maxPerVm) {
        this.store = store;
        this.maxPerVm = maxPerVm;
    }

    /** Records a change; trims the VM's oldest entries past the cap (counted in {@code state}). */
    public void record(String vm, VmState state, Change c) {
        store.writes().put(key(vm, c.tsNs(), c.seq()), ByteBuffer.wrap(StateFormat.allocate(24)).position(StateFormat.TAG)
                .putLong(c.first()).putLong(c.last()).putLong(c.attributes()).array());
        state.historyEntries++;
        while (state.historyEntries > maxPerVm) {
            // from the horizon on: past the keys deleted before, whose tombstones a scan would step over one by one
            try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(vm, state.historyHorizonNs, Long.MIN_VALUE),
                    key(vm, Long.MAX_VALUE, Long.MAX_VALUE))) {
                if (!it.hasNext()) {
                    break;
                }
                KeyValue<Bytes, byte[]> oldest = it.next();
                store.writes().delete(oldest.key);
                state.historyEntries--;
                state.historyHorizonNs = decode(oldest.key, oldest.value).tsNs();
            }
        }
    }

    /** The attributes of {@code gfn} at {@code tsNs} (0: shared); null when t is before the kept history. */
    public Long attributeAt(String vm, VmState state, long gfn, long tsNs) {
        if (tsNs < state.historyHorizonNs) {
            return null;
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().reverseRange(key(vm, Long.MIN_VALUE, Long.MIN_VALUE),
                key(vm, tsNs, Long.MAX_VALUE))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                Change c = decode(e.key, e.value);
                if (Long.compareUnsigned(c.first(), gfn) <= 0 && Long.compareUnsigned(gfn, c.last()) <= 0) {
                    return c.attributes();
                }
            }
        }
        return 0L;
    }

    /**
     * At most {@code max} attribute ranges in [first, last] as they were at {@code tsNs}, rebuilt by
     * replaying the kept changes up to then; null when t is before the kept history.
     */
    public List<Interval> rangesAt(String vm, VmState state, long first, long last, long tsNs, int max) {
        if (tsNs < state.historyHorizonNs) {
            return null;
        }
        IntervalOverlay past = new IntervalOverlay();
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(vm, Long.MIN_VALUE, Long.MIN_VALUE),
                key(vm, tsNs, Long.MAX_VALUE))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                Change c = decode(e.key, e.value);
                if (Long.compareUnsigned(c.last(), first) >= 0 && Long.compareUnsigned(c.first(), last) <= 0) {
                    past.set(c.first(), c.last(), c.attributes());
                }
            }
        }
        return past.overlapping(first, last, max);
    }

    /** The changes of a VM in [fromNs, toNs], oldest first: the attribute timeline. */
    public List<Change> changes(String vm, long fromNs, long toNs) {
        List<Change> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(vm, fromNs, Long.MIN_VALUE), key(vm, toNs, Long.MAX_VALUE))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                out.add(decode(e.key, e.value));
            }
        }
        return out;
    }

    // Times and sequence numbers are signed longs; flipping the sign bit makes their byte order numeric.
    private static Bytes key(String vm, long tsNs, long seq) {
        byte[] v = vm.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(v.length + 17).put(v).put((byte) 0)
                .putLong(tsNs ^ Long.MIN_VALUE).putLong(seq ^ Long.MIN_VALUE).array());
    }

    private static Change decode(Bytes key, byte[] value) {
        byte[] k = key.get();
        ByteBuffer kb = ByteBuffer.wrap(k, k.length - 16, 16);
        long ts = kb.getLong() ^ Long.MIN_VALUE;
        long seq = kb.getLong() ^ Long.MIN_VALUE;
        // state release 0 wrote the 24 bytes alone
        int at = StateFormat.payloadStart(value, value.length == 24, "attribute change");
        ByteBuffer v = ByteBuffer.wrap(value, at, 24);
        return new Change(ts, seq, v.getLong(), v.getLong(), v.getLong());
    }
}
