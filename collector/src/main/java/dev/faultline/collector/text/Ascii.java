package dev.faultline.collector.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Scanning trace text held as UTF-8 bytes. Everything the grammar matches on (digits, separators,
 * event names, field names) is ASCII; other bytes only occur inside names and are decoded with them.
 */
public final class Ascii {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Ascii() {
    }

    public static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * First index of {@code c} in [from, to), or -1. Eight bytes per step (a word compared at once: the
     * lowest byte that became zero after the XOR is the first match), since lines are searched end to end.
     */
    public static int indexOf(byte[] b, int from, int to, char c) {
        long pattern = (c & 0xffL) * ONES;
        int i = from;
        for (; i <= to - 8; i += 8) {
            long w = (long) LONGS.get(b, i) ^ pattern;
            long zeros = (w - ONES) & ~w & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The 8 bytes from {@code at} as a little-endian word. */
    public static long word(byte[] b, int at) {
        return (long) LONGS.get(b, at);
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L; // 2^64 / golden ratio, odd: spreads bits upwards

    /**
     * A hash of three words and a length for picking a table slot from its top bits, which every input bit
     * reaches through the products (the low bits do not).
     */
    public static long wordHash(long w0, long w1, long w2, int length) {
        return (((w0 * GOLDEN + w1) * GOLDEN + w2) * GOLDEN + length) * GOLDEN;
    }

    /** Last index of {@code c} in [from, to), or -1. */
    public static int lastIndexOf(byte[] b, int from, int to, char c) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True when {@code a[aFrom, aFrom + n)} equals {@code b[bFrom, bFrom + n)}. Names are 4-20 bytes: two or
     * three word compares (the last one overlapping) beat a general array compare, which is made for long runs.
     */
    public static boolean rangeEquals(byte[] a, int aFrom, byte[] b, int bFrom, int n) {
        if (n < 8) {
            for (int k = 0; k < n; k++) {
                if (a[aFrom + k] != b[bFrom + k]) {
                    return false;
                }
            }
            return true;
        }
        for (int k = 0; k < n - 8; k += 8) {
            if ((long) LONGS.get(a, aFrom + k) != (long) LONGS.get(b, bFrom + k)) {
                return false;
            }
        }
        return (long) LONGS.get(a, aFrom + n - 8) == (long) LONGS.get(b, bFrom + n - 8);
    }

    /** True when the ASCII {@code literal} starts at {@code at} and ends at or before {@code to}. */
    public static boolean startsWith(byte[] b, int at, int to, String literal) {
        int n = literal.length();
        if (at < 0 || n > to - at) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (b[at + k] != literal.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** First index in [from, to) where {@code literal} starts, or -1. */
    public static int indexOf(byte[] b, int from, int to, String literal) {
        char first = literal.charAt(0);
        for (int i = indexOf(b, from, to, first); i >= 0; i = indexOf(b, i + 1, to, first)) {
            if (startsWith(b, i, to, literal)) {
                return i;
            }
        }
        return -1;
    }

    /** Last index in [from, to) where {@code literal} starts, or -1. */
    public static int lastIndexOf(byte[] b, int from, int to, String literal) {
        for (int i = to - literal.length(); i >= from; i--) {
            if (startsWith(b, i, to, literal)) {
                return i;
            }
        }
        return -1;
    }

    /** The first index at or after {@code i} (before {@code to}) that is not a space. */
    public static int skipSpaces(byte[] b, int i, int to) {
        while (i < to && b[i] == ' ') {
            i++;
        }
        return i;
    }

    /** {@code end} moved left past trailing spaces, not before {@code from}. */
    public static int trimEnd(byte[] b, int from, int end) {
        while (end > from && b[end - 1] == ' ') {
            end--;
        }
        return end;
    }

    public static boolean allDigits(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int k = from; k < to; k++) {
            if (!isDigit(b[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decimal digits (checked by the caller) as a number of at most {@code max}; -1 when it is larger: a
     * header column past its type's range is a bad line, never a number wrapped onto another CPU or process.
     */
    public static long decimalAtMost(byte[] b, int from, int to, long max) {
        while (from < to - 1 && b[from] == '0') {
            from++;
        }
        if (to - from > 18) {
            return -1;
        }
        long v = decimal(b, from, to);
        return v > max ? -1 : v;
    }

    /** Decimal digits already checked by the caller. */
    public static long decimal(byte[] b, int from, int to) {
        long v = 0;
        for (int k = from; k < to; k++) {
            v = v * 10 + (b[k] - '0');
        }
        return v;
    }

    public static String string(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A byte of an event name: {@code [A-Za-z0-9_]}. */
    public static boolean isNameChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z');
    }
}
