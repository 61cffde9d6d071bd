package dev.faultline.collector.parse;

import dev.faultline.collector.text.Ascii;
import java.util.Arrays;

/**
 * Reuses the String for a run of bytes seen before: thread names, event names and syscall argument
 * names repeat on nearly every line, and a reused String also keeps its cached hash for the map
 * lookups that follow. A fixed table, the newest entry winning its slot. Shared use is safe: a slot
 * holds an immutable entry or null, and a lost race costs one decode.
 *
 * <p>An entry holds a name's first 24 bytes as three words in its own fields, so a lookup reads the
 * slot and one object: with the key in an array of its own, the three dependent loads (slot, entry,
 * array) missed the caches that the text and the new objects of every event stream through.
 */
final class StringPool {
    private static final int INLINE = 24;

    /** {@code rest} holds the bytes past the first 24, empty for shorter names. */
    private record Entry(int length, long w0, long w1, long w2, byte[] rest, String value) {
    }

    private final Entry[] slots;
    private final int shift;

    StringPool() {
        this(10);
    }

    /** A table of 2^slotBits slots (tests use a few, so that names share slots). */
    StringPool(int slotBits) {
        if (slotBits < 1 || slotBits > 20) {
            throw new IllegalArgumentException("slot bits 1..20, not " + slotBits); // 0 would shift by 64, a no-op in Java
        }
        slots = new Entry[1 << slotBits];
        shift = 64 - slotBits;
    }

    String of(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return "";
        }
        long w0 = word(b, from, n);
        long w1 = n > 8 ? word(b, from + 8, n - 8) : 0;
        long w2 = n > 16 ? word(b, from + 16, n - 16) : 0;
        int slot = (int) (Ascii.wordHash(w0, w1, w2, n) >>> shift);
        Entry known = slots[slot];
        if (known != null && known.length == n && known.w0 == w0 && known.w1 == w1 && known.w2 == w2
                && (n <= INLINE || Ascii.rangeEquals(known.rest, 0, b, from + INLINE, n - INLINE))) {
            return known.value;
        }
        byte[] rest = n <= INLINE ? NO_BYTES : Arrays.copyOfRange(b, from + INLINE, to);
        Entry fresh = new Entry(n, w0, w1, w2, rest, Ascii.string(b, from, to));
        slots[slot] = fresh;
        return fresh.value;
    }

    private static final byte[] NO_BYTES = {};

    /** The little-endian word of {@code min(8, left)} bytes from {@code at}, zero above them. */
    private static long word(byte[] b, int at, int left) {
        if (left >= 8) {
            return Ascii.word(b, at);
        }
        if (at + 8 <= b.length) {
            return Ascii.word(b, at) & (-1L >>> (64 - 8 * left));
        }
        long w = 0;
        for (int k = left - 1; k >= 0; k--) {
            w = w << 8 | (b[at + k] & 0xff);
        }
        return w;
    }
}
