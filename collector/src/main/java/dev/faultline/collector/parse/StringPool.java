package dev.faultline.collector.parse;

import java.util.Arrays;

/**
 * Reuses the String for a run of bytes seen before: thread names, event names and syscall argument
 * names repeat on nearly every line, and a reused String also keeps its cached hash for the map
 * lookups that follow. A fixed table, the newest entry winning its slot. Shared use is safe: a slot
 * holds an immutable entry or null, and a lost race costs one decode.
 */
final class StringPool {
    private record Entry(byte[] key, String value) {
    }

    private final Entry[] slots = new Entry[1024];

    String of(byte[] b, int from, int to) {
        // a few bytes and the length pick the slot: hashing every byte cost more than the compare
        int n = to - from;
        if (n == 0) {
            return "";
        }
        int h = n;
        h = 31 * h + b[from];
        h = 31 * h + b[to - 1];
        h = 31 * h + b[from + (n >> 1)];
        h = 31 * h + b[from + (n >> 2)];
        int slot = (h ^ (h >>> 16)) & (slots.length - 1);
        Entry known = slots[slot];
        if (known != null && known.key.length == n && Ascii.rangeEquals(known.key, 0, b, from, n)) {
            return known.value;
        }
        Entry fresh = new Entry(Arrays.copyOfRange(b, from, to), Ascii.string(b, from, to));
        slots[slot] = fresh;
        return fresh.value;
    }
}
