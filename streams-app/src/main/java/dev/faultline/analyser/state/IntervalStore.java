package dev.faultline.analyser.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Interval maps over a key-value store (RocksDB in the analyser): maximal ranges of equal value,
 * never one entry per page, so a 4 TiB guest in one state is one interval. A "space" names one
 * map (e.g. a VM's memory attributes).
 *
 * <p>Layout: intervals are packed into chunks of at most {@value #CHUNK} sorted intervals. A chunk's
 * key is {@code space, 0x00, lower bound as 8 big-endian bytes}; it holds intervals lying wholly in
 * [its bound, next chunk's bound). The store's unsigned byte order is then unsigned page order, and
 * a lookup is one reverse seek for the chunk plus a binary search. Updates rewrite a chunk in place;
 * only merging chunks deletes keys. Why chunks: an LSM store keeps a tombstone per deleted key
 * until compaction, and seeks step over them; one key per interval made a guest's alternating
 * tiny conversions quadratic (measured: 1000 merges 1.5 s, the next 1000 4.3 s).
 */
public final class IntervalStore {
    static final int CHUNK = 64;
    /** A stored interval: first, last, value, 8 bytes each. */
    public static final int INTERVAL_BYTES = 24;
    private static final byte SEP = 0;

    /** Cached spaces past this many chunks in all: the cache starts again (its memory is bounded by chunks). */
    static final int CACHE_CHUNKS = 200_000;

    private final ByteStore store;
    /**
     * The processor's copy of the chunks of each space it has read, by bound (unsigned order), loaded with
     * one scan per space and written through with the store: the lookups every fault and MMIO make (an
     * attribute, a populated page) then seek no store iterator. Null for a query's read-only view, which
     * reads only the chunks it needs and is thrown away.
     */
    private final Map<String, TreeMap<Long, byte[]>> cache;
    private int cachedChunks;

    /** The processor's interval maps over its writable store, cached. */
    public IntervalStore(KeyValueStore<Bytes, byte[]> kv) {
        this.store = ByteStore.writable(kv);
        this.cache = new HashMap<>();
    }

    /** A view read straight from the store, for queries. */
    public IntervalStore(ByteStore store) {
        this.store = store;
        this.cache = null;
    }

    /** The value at page {@code x}, or null when no interval covers it. */
    public Long get(String space, long x) {
        // searched in the chunk's bytes: a lookup decodes no interval list
        byte[] v = floorChunkBytes(space, x);
        if (v == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        int at = payloadStart(v);
        int lo = 0;
        int hi = (v.length - at) / INTERVAL_BYTES - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(b.getLong(at + mid * INTERVAL_BYTES), x) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best >= 0 && Long.compareUnsigned(x, b.getLong(at + best * INTERVAL_BYTES + 8)) <= 0
                ? b.getLong(at + best * INTERVAL_BYTES + 16) : null;
    }

    /** Sets [first, last] to {@code value}, splitting what it overlaps and merging equal neighbours. */
    public void put(String space, long first, long last, long value) {
        update(space, first, last, new Interval(first, last, value));
    }

    /** Removes [first, last] from the map, keeping the parts of intervals outside it. */
    public void clear(String space, long first, long last) {
        update(space, first, last, null);
    }

    /** The intervals overlapping [first, last], clipped to it, in order. */
    public List<Interval> overlapping(String space, long first, long last) {
        return overlapping(space, first, last, Integer.MAX_VALUE);
    }

    /**
     * At most {@code max} of the intervals overlapping [first, last], clipped, in order; reads no
     * chunk past the one that fills the list, so a query's cost is bounded by {@code max}, not the map.
     */
    public List<Interval> overlapping(String space, long first, long last, int max) {
        List<Interval> out = new ArrayList<>();
        forEachChunk(space, first, last, c -> {
            for (Interval i : c.intervals) {
                if (out.size() >= max) {
                    return false;
                }
                if (Long.compareUnsigned(i.last(), first) >= 0 && Long.compareUnsigned(i.first(), last) <= 0) {
                    long a = Long.compareUnsigned(i.first(), first) < 0 ? first : i.first();
                    long b = Long.compareUnsigned(i.last(), last) > 0 ? last : i.last();
                    out.add(new Interval(a, b, i.value()));
                }
            }
            return true;
        });
        return out;
    }

    /** All intervals of a space, in order. */
    public List<Interval> all(String space) {
        return overlapping(space, 0, -1L);
    }

    /** Number of stored chunks of a space (each one key-value entry). */
    public int chunkCount(String space) {
        return chunks(space, 0, -1L).size();
    }

    /** Deletes every interval of a space. */
    public void drop(String space) {
        for (Chunk c : chunks(space, 0, -1L)) {
            delete(space, c.bound);
        }
    }

    // ---- chunk maintenance

    private record Chunk(long bound, List<Interval> intervals) {
    }

    private void update(String space, long first, long last, Interval insert) {
        // Load the chunks holding [first-1, last+1]: the range and its neighbours, for merging.
        long lo = first == 0 ? 0 : first - 1;
        long hi = last == -1L ? -1L : last + 1;
        List<Chunk> loaded = chunks(space, lo, hi);
        List<Interval> list = new ArrayList<>();
        loaded.forEach(c -> list.addAll(c.intervals));

        cut(list, first, last);
        if (insert != null) {
            insertMerging(list, insert);
        }

        // Write back: the first chunk keeps its bound (lowered if the list now starts below it).
        long firstBound = loaded.isEmpty() ? first : loaded.get(0).bound;
        if (!list.isEmpty() && Long.compareUnsigned(list.get(0).first(), firstBound) < 0) {
            firstBound = list.get(0).first();
        }
        List<Long> newBounds = new ArrayList<>();
        if (list.isEmpty()) {
            loaded.forEach(c -> delete(space, c.bound));
            return;
        }
        int parts = (list.size() + CHUNK - 1) / CHUNK;
        for (int p = 0; p < parts; p++) {
            int from = p * list.size() / parts;
            int to = (p + 1) * list.size() / parts;
            long bound = p == 0 ? firstBound : list.get(from).first();
            newBounds.add(bound);
            write(space, bound, list.subList(from, to));
        }
        for (Chunk c : loaded) {
            if (!newBounds.contains(c.bound)) {
                delete(space, c.bound);
            }
        }
    }

    /** Removes [a, b] from a sorted list, keeping the parts of intervals outside it. */
    private static void cut(List<Interval> list, long a, long b) {
        for (int k = 0; k < list.size(); k++) {
            Interval i = list.get(k);
            if (Long.compareUnsigned(i.last(), a) < 0 || Long.compareUnsigned(i.first(), b) > 0) {
                continue;
            }
            list.remove(k);
            if (Long.compareUnsigned(i.last(), b) > 0) {
                list.add(k, new Interval(b + 1, i.last(), i.value()));
            }
            if (Long.compareUnsigned(i.first(), a) < 0) {
                list.add(k, new Interval(i.first(), a - 1, i.value()));
                k++;
            }
            k--;
        }
    }

    /** Inserts into a sorted list with a gap at the new interval, merging with equal neighbours. */
    private static void insertMerging(List<Interval> list, Interval n) {
        int at = 0;
        while (at < list.size() && Long.compareUnsigned(list.get(at).first(), n.first()) < 0) {
            at++;
        }
        long a = n.first();
        long b = n.last();
        if (at > 0) {
            Interval left = list.get(at - 1);
            if (left.last() + 1 == a && a != 0 && left.value() == n.value()) {
                a = left.first();
                list.remove(--at);
            }
        }
        if (at < list.size()) {
            Interval right = list.get(at);
            if (b != -1L && right.first() == b + 1 && right.value() == n.value()) {
                b = right.last();
                list.remove(at);
            }
        }
        list.add(at, new Interval(a, b, n.value()));
    }

    /** The chunks that can hold pages in [first, last], in order. */
    private List<Chunk> chunks(String space, long first, long last) {
        List<Chunk> out = new ArrayList<>();
        forEachChunk(space, first, last, out::add);
        return out;
    }

    /** Visits the chunks that can hold pages in [first, last], in order, until {@code visit} returns false. */
    private void forEachChunk(String space, long first, long last, java.util.function.Predicate<Chunk> visit) {
        Chunk head = floorChunk(space, first);
        if (head != null && (!visit.test(head) || head.bound == -1L)) {
            return;
        }
        long from = head == null ? first : head.bound + 1;
        if (Long.compareUnsigned(from, last) > 0) {
            return;
        }
        if (cache != null) {
            for (Map.Entry<Long, byte[]> e : cached(space).subMap(from, true, last, true).entrySet()) {
                if (!visit.test(decode(e.getKey(), e.getValue()))) {
                    return;
                }
            }
            return;
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(space, from), key(space, last))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                if (!visit.test(decode(boundOf(e.key), e.value))) {
                    return;
                }
            }
        }
    }

    /** The chunk with the greatest bound ≤ x. */
    private Chunk floorChunk(String space, long x) {
        if (cache != null) {
            Map.Entry<Long, byte[]> e = cached(space).floorEntry(x);
            return e == null ? null : decode(e.getKey(), e.getValue());
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().reverseRange(key(space, 0), key(space, x))) {
            if (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                return decode(boundOf(e.key), e.value);
            }
        }
        return null;
    }

    /** The stored bytes of the chunk with the greatest bound ≤ x, or null. */
    private byte[] floorChunkBytes(String space, long x) {
        if (cache != null) {
            Map.Entry<Long, byte[]> e = cached(space).floorEntry(x);
            return e == null ? null : e.getValue();
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().reverseRange(key(space, 0), key(space, x))) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    /** A space's chunks, read from the store at its first use. */
    private TreeMap<Long, byte[]> cached(String space) {
        TreeMap<Long, byte[]> chunks = cache.get(space);
        if (chunks == null) {
            if (cachedChunks > CACHE_CHUNKS) {
                cache.clear();
                cachedChunks = 0;
            }
            chunks = new TreeMap<>(Long::compareUnsigned);
            try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(space, 0), key(space, -1L))) {
                while (it.hasNext()) {
                    KeyValue<Bytes, byte[]> e = it.next();
                    chunks.put(boundOf(e.key), e.value);
                }
            }
            cachedChunks += chunks.size();
            cache.put(space, chunks);
        }
        return chunks;
    }

    private void write(String space, long bound, List<Interval> intervals) {
        ByteBuffer b = ByteBuffer.wrap(StateFormat.allocate(intervals.size() * INTERVAL_BYTES)).position(StateFormat.TAG);
        for (Interval i : intervals) {
            b.putLong(i.first()).putLong(i.last()).putLong(i.value());
        }
        store.writes().put(key(space, bound), b.array());
        if (cache != null && cached(space).put(bound, b.array()) == null) {
            cachedChunks++;
        }
    }

    private void delete(String space, long bound) {
        store.writes().delete(key(space, bound));
        if (cache != null && cached(space).remove(bound) != null) {
            cachedChunks--;
        }
    }

    static Bytes key(String space, long bound) {
        byte[] s = space.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(s.length + 9).put(s).put(SEP).putLong(bound).array());
    }

    private static long boundOf(Bytes key) {
        byte[] k = key.get();
        return ByteBuffer.wrap(k, k.length - 8, 8).getLong();
    }

    private static Chunk decode(long bound, byte[] value) {
        int at = payloadStart(value);
        ByteBuffer v = ByteBuffer.wrap(value, at, value.length - at);
        List<Interval> list = new ArrayList<>((value.length - at) / INTERVAL_BYTES);
        while (v.remaining() >= INTERVAL_BYTES) {
            list.add(new Interval(v.getLong(), v.getLong(), v.getLong()));
        }
        return new Chunk(bound, list);
    }

    /** Where a chunk's intervals start: state release 0 wrote them alone (a multiple of 24 bytes), then the tag. */
    private static int payloadStart(byte[] chunk) {
        return StateFormat.payloadStart(chunk, chunk.length % INTERVAL_BYTES == 0, "interval chunk");
    }

    /** Intervals in a stored chunk. */
    public static int intervalsIn(byte[] chunk) {
        return (chunk.length - payloadStart(chunk)) / INTERVAL_BYTES;
    }

    /** Bytes one stored interval takes in a full chunk ({@value #INTERVAL_BYTES}) plus its share of the chunk key and tag. */
    public static double bytesPerInterval(String space) {
        return INTERVAL_BYTES + (space.getBytes(StandardCharsets.UTF_8).length + 9.0 + StateFormat.TAG) / CHUNK;
    }
}
