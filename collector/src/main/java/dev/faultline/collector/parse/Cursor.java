package dev.faultline.collector.parse;

import dev.faultline.collector.text.Ascii;

/**
 * Reads a payload (UTF-8 bytes [start, end) of a line) left to right. Numbers are parsed as the
 * kernel printed them: hex with or without {@code 0x}, decimal, and unsigned 64-bit values kept in a
 * long's bits. Columns in error messages count from the payload's start.
 */
final class Cursor {
    private final byte[] b;
    private final int start;
    private final int end;
    private int pos;

    /** Words and names repeat on every line (exit reasons, access kinds): one String each, hash cached. */
    private static final StringPool WORDS = new StringPool();

    private static final long MAX_BEFORE_DECIMAL_DIGIT = Long.divideUnsigned(-1L, 10);

    Cursor(String s) {
        this(Ascii.bytes(s));
    }

    private Cursor(byte[] b) {
        this(b, 0, b.length);
    }

    Cursor(byte[] b, int start, int end) {
        this.b = b;
        this.start = start;
        this.end = end;
        this.pos = start;
    }

    /** Expects {@code literal} after optional spaces. */
    Cursor expect(String literal) {
        skipSpaces();
        if (!Ascii.startsWith(b, pos, end, literal)) {
            throw new PayloadException("expected '" + literal + "' at column " + column());
        }
        pos += literal.length();
        return this;
    }

    /** True and consumed if {@code literal} follows (after optional spaces). */
    boolean accept(String literal) {
        skipSpaces();
        if (Ascii.startsWith(b, pos, end, literal)) {
            pos += literal.length();
            return true;
        }
        return false;
    }

    /** True if the payload starts with {@code literal}; does not move. */
    boolean startsWith(String literal) {
        return Ascii.startsWith(b, start, end, literal);
    }

    /** Whether the next word (after optional spaces) is {@code name=value}, name made of [A-Za-z0-9_]; does not move. */
    boolean firstWordIsField() {
        skipSpaces();
        int k = pos;
        while (k < end && Ascii.isNameChar(b[k])) {
            k++;
        }
        return k > pos && k < end && b[k] == '=';
    }

    /** True if {@code literal} follows (after optional spaces); does not consume it. */
    boolean startsWithHere(String literal) {
        skipSpaces();
        return Ascii.startsWith(b, pos, end, literal);
    }

    /** Moves to the last occurrence of {@code literal} (not consumed); false, not moved, if there is none. */
    boolean toLast(String literal) {
        int at = Ascii.lastIndexOf(b, pos, end, literal);
        if (at < 0) {
            return false;
        }
        pos = at;
        return true;
    }

    /** Moves just past the next {@code c}; false, not moved, if there is none. */
    boolean skipPast(char c) {
        int at = Ascii.indexOf(b, pos, end, c);
        if (at < 0) {
            return false;
        }
        pos = at + 1;
        return true;
    }

    /** Hex number, {@code 0x} optional. */
    long hex() {
        skipSpaces();
        if (pos + 1 < end && b[pos] == '0' && (b[pos + 1] == 'x' || b[pos + 1] == 'X')) {
            pos += 2;
        }
        // the most frequent numbers (addresses, 16 digits each): a table per digit, the width checked once at the end
        int first = pos;
        long v = 0;
        while (pos < end) {
            int d = HEX[b[pos] & 0xff];
            if (d < 0) {
                break;
            }
            v = v << 4 | d;
            pos++;
        }
        if (first == pos) {
            throw new PayloadException("expected a number at column " + (first - start));
        }
        if (pos - first > 16) {
            int significant = first;
            while (significant < pos && b[significant] == '0') {
                significant++;
            }
            if (pos - significant > 16) {
                throw new PayloadException("number wider than 64 bits at column " + (first - start));
            }
        }
        return v;
    }

    private static final byte[] HEX = new byte[256];

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
        boolean negative = pos < end && b[pos] == '-';
        if (negative) {
            pos++;
        }
        long v = Ascii.startsWith(b, pos, end, "0x") ? hex() : decimal();
        return negative ? -v : v;
    }

    int intNumber() {
        return (int) number();
    }

    /** The next run of non-space characters: a word that recurs (a kind, a reason, a key), pooled. */
    String word() {
        int first = wordStart();
        return WORDS.of(b, first, pos);
    }

    /** The same, for a value that rarely recurs (an address, a size): decoded, kept out of the pool. */
    String value() {
        int first = wordStart();
        return Ascii.string(b, first, pos);
    }

    private int wordStart() {
        skipSpaces();
        int first = pos;
        while (pos < end && b[pos] != ' ') {
            pos++;
        }
        if (first == pos) {
            throw new PayloadException("expected a word at column " + (first - start));
        }
        return first;
    }

    /** The text from here up to the next {@code separator} (not consumed), or to the end when there is none. */
    String upTo(char separator) {
        int first = pos;
        int at = Ascii.indexOf(b, pos, end, separator);
        pos = at < 0 ? end : at;
        return WORDS.of(b, first, pos);
    }

    /** Everything up to {@code literal} (not consumed), trimmed. */
    String until(String literal) {
        skipSpaces();
        int at = Ascii.indexOf(b, pos, end, literal);
        if (at < 0) {
            throw new PayloadException("expected '" + literal + "'");
        }
        int from = pos;
        int to = at;
        while (from < to && (b[from] & 0xff) <= ' ') {
            from++;
        }
        while (to > from && (b[to - 1] & 0xff) <= ' ') {
            to--;
        }
        pos = at;
        return WORDS.of(b, from, to);
    }

    boolean atEnd() {
        skipSpaces();
        return pos >= end;
    }

    int column() { // package-private: CursorTest checks where a number ended
        return pos - start;
    }

    private long decimal() {
        int first = pos;
        long v = 0;
        while (pos < end) {
            byte c = b[pos];
            if (c < '0' || c > '9') {
                break;
            }
            int room = Long.compareUnsigned(v, MAX_BEFORE_DECIMAL_DIGIT); // 2^64-1 = MAX_BEFORE * 10 + 5
            if (room > 0 || (room == 0 && c > '5')) {
                throw new PayloadException("number wider than 64 bits at column " + (first - start));
            }
            v = v * 10 + (c - '0');
            pos++;
        }
        if (first == pos) {
            throw new PayloadException("expected a number at column " + (first - start));
        }
        return v;
    }

    private void skipSpaces() {
        pos = Ascii.skipSpaces(b, pos, end);
    }
}
