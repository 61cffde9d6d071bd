package dev.faultline.collector.text;

/**
 * The time stamp of a trace line ({@code secs.frac:}, or a counter clock's raw value), read from its bytes: shared
 * by the line parser and by live capture, which orders the BPF helper's lines among the kernel's by it.
 */
public final class TraceTimes {
    private static final long MAX_SECS = Long.MAX_VALUE / 1_000_000_000L;

    /** ns per unit of a fraction of a second written with n digits (n <= 9). */
    private static final long[] NS_PER_FRACTION_DIGIT = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private TraceTimes() {
    }

    /**
     * {@code secs.frac} in ns from its digits {@code b[secsStart, dot)} and {@code b[dot + 1, colon)} (at most 9);
     * -1 when the seconds are past what a long holds in ns (292 years): never a wrapped, negative time.
     */
    public static long secsFracNs(byte[] b, int secsStart, int dot, int colon) {
        long secs = Ascii.decimalAtMost(b, secsStart, dot, MAX_SECS);
        if (secs < 0) {
            return -1;
        }
        long ns = secs * 1_000_000_000L + Ascii.decimal(b, dot + 1, colon) * NS_PER_FRACTION_DIGIT[colon - dot - 1];
        return ns < 0 ? -1 : ns;
    }

    /** The timestamp of an event line {@code b[from, to)} in ns, or -1 when it has none (a header, a loss line). */
    public static long timestampNs(byte[] b, int from, int to) {
        int colon = timestampColon(b, from, to);
        return colon < 0 ? -1 : parseTimestamp(b, timestampStart(b, from, colon), colon);
    }

    /** Where the {@code secs.frac} token that ends at {@code colon} starts. */
    public static int timestampStart(byte[] b, int from, int colon) {
        int start = colon;
        while (start > from && b[start - 1] != ' ') {
            start--;
        }
        return start;
    }

    /**
     * Index of the ':' that ends the first {@code digits.digits} token followed by ": " or end of line; failing
     * that, of the first such token of digits alone: trace-cmd report prints a counter clock's raw value.
     */
    public static int timestampColon(byte[] b, int from, int to) {
        for (int c = Ascii.indexOf(b, from, to, ':'); c >= 0; c = Ascii.indexOf(b, c + 1, to, ':')) {
            if (c + 1 < to && b[c + 1] != ' ') {
                continue;
            }
            int k = c - 1;
            int fracDigits = 0;
            while (k >= from && Ascii.isDigit(b[k])) {
                k--;
                fracDigits++;
            }
            if (fracDigits == 0 || k < from || b[k] != '.') {
                continue;
            }
            int secEnd = k;
            k--;
            while (k >= from && Ascii.isDigit(b[k])) {
                k--;
            }
            if (k < secEnd - 1 && (k < from || b[k] == ' ')) {
                return c;
            }
        }
        return counterColon(b, from, to);
    }

    /** The ':' after a token of digits only, preceded by a space and followed by ": " and an event name. */
    private static int counterColon(byte[] b, int from, int to) {
        for (int c = Ascii.indexOf(b, from, to, ':'); c >= 0; c = Ascii.indexOf(b, c + 1, to, ':')) {
            if (c + 1 >= to || b[c + 1] != ' ') {
                continue;
            }
            int k = c - 1;
            while (k >= from && Ascii.isDigit(b[k])) {
                k--;
            }
            int name = Ascii.skipSpaces(b, c + 1, to);
            if (k < c - 1 && k >= from && b[k] == ' ' && name < to && Ascii.isNameChar(b[name])) {
                return c;
            }
        }
        return -1;
    }

    /** {@code secs.frac} in {@code b[from, to)}; fraction digits past the ninth are below a nanosecond and dropped. */
    public static long parseTimestamp(byte[] b, int from, int to) {
        int dot = Ascii.indexOf(b, from, to, '.');
        if (dot < 0) { // a counter clock's value: kept as it is, the trace's own unit
            return Ascii.decimalAtMost(b, from, to, Long.MAX_VALUE - 1);
        }
        return secsFracNs(b, from, dot, Math.min(to, dot + 10));
    }
}
