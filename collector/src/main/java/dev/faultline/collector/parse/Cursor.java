package dev.faultline.collector.parse;

/**
 * Reads a payload left to right. Numbers are parsed as the kernel printed them: hex with or
 * without {@code 0x}, decimal, and unsigned 64-bit values kept in a long's bits.
 */
final class Cursor {
    private final String s;
    private int pos;

    /** Words and names repeat on every line (exit reasons, access kinds): one String each, hash cached. */
    private static final StringPool WORDS = new StringPool();

    private static final long MAX_BEFORE_DECIMAL_DIGIT = Long.divideUnsigned(-1L, 10);

    Cursor(String s) {
        this(s, 0);
    }

    Cursor(String s, int pos) {
        this.s = s;
        this.pos = pos;
    }

    int pos() {
        return pos;
    }

    /** Expects {@code literal} after optional spaces. */
    Cursor expect(String literal) {
        skipSpaces();
        if (!s.startsWith(literal, pos)) {
            throw new PayloadException("expected '" + literal + "' at column " + pos);
        }
        pos += literal.length();
        return this;
    }

    /** True and consumed if {@code literal} follows (after optional spaces). */
    boolean accept(String literal) {
        skipSpaces();
        if (s.startsWith(literal, pos)) {
            pos += literal.length();
            return true;
        }
        return false;
    }

    /** Moves just past the next occurrence of {@code literal}. */
    Cursor skipPast(String literal) {
        int at = s.indexOf(literal, pos);
        if (at < 0) {
            throw new PayloadException("expected '" + literal + "'");
        }
        pos = at + literal.length();
        return this;
    }

    /** Hex number, {@code 0x} optional. */
    long hex() {
        skipSpaces();
        if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
            pos += 2;
        }
        // the most frequent numbers (addresses, 16 digits each): a table per digit, the width checked once at the end
        int start = pos;
        int n = s.length();
        long v = 0;
        while (pos < n) {
            char c = s.charAt(pos);
            int d = c < HEX.length ? HEX[c] : -1;
            if (d < 0) {
                break;
            }
            v = v << 4 | d;
            pos++;
        }
        if (start == pos) {
            throw new PayloadException("expected a number at column " + start);
        }
        if (pos - start > 16) {
            int first = start;
            while (first < pos && s.charAt(first) == '0') {
                first++;
            }
            if (pos - first > 16) {
                throw new PayloadException("number wider than 64 bits at column " + start);
            }
        }
        return v;
    }

    private static final byte[] HEX = new byte[128];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX['a' + i] = (byte) (10 + i);
            HEX['A' + i] = (byte) (10 + i);
        }
    }

    /** Decimal, or hex when written with {@code 0x}; a leading '-' negates. */
    long number() {
        skipSpaces();
        boolean negative = s.startsWith("-", pos);
        if (negative) {
            pos++;
        }
        long v = s.startsWith("0x", pos) ? hex() : decimal();
        return negative ? -v : v;
    }

    int intNumber() {
        return (int) number();
    }

    /** The next run of non-space characters. */
    String word() {
        skipSpaces();
        int start = pos;
        while (pos < s.length() && s.charAt(pos) != ' ') {
            pos++;
        }
        if (start == pos) {
            throw new PayloadException("expected a word at column " + start);
        }
        return WORDS.of(s, start, pos);
    }

    /** Everything up to {@code literal} (not consumed), trimmed. */
    String until(String literal) {
        skipSpaces();
        int at = s.indexOf(literal, pos);
        if (at < 0) {
            throw new PayloadException("expected '" + literal + "'");
        }
        int from = pos;
        int to = at;
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        pos = at;
        return WORDS.of(s, from, to);
    }

    boolean atEnd() {
        skipSpaces();
        return pos >= s.length();
    }

    private long decimal() {
        int start = pos;
        long v = 0;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c < '0' || c > '9') {
                break;
            }
            int room = Long.compareUnsigned(v, MAX_BEFORE_DECIMAL_DIGIT); // 2^64-1 = MAX_BEFORE * 10 + 5
            if (room > 0 || (room == 0 && c > '5')) {
                throw new PayloadException("number wider than 64 bits at column " + start);
            }
            v = v * 10 + (c - '0');
            pos++;
        }
        if (start == pos) {
            throw new PayloadException("expected a number at column " + start);
        }
        return v;
    }

    private void skipSpaces() {
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
    }
}
