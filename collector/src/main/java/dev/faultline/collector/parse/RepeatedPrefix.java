package dev.faultline.collector.parse;

import static dev.faultline.collector.parse.Ascii.isDigit;

/**
 * The columns before the timestamp ({@code comm-tid (tgid) [cpu] flags}) of the last line
 * {@link LineParser#usualColumns} read, kept as bytes with what they decoded to. A vCPU thread writes
 * run after run of lines on one CPU, so the next line very often starts with the same bytes: then only
 * its timestamp is new. Reading those columns was the largest part of the line grammar.
 *
 * <p>Same answer as reading the columns again: the kept bytes hold no ':' and end in a space (they were
 * the prefix of a line whose first ':' followed its timestamp), so on a line that starts with them and
 * goes on with {@code secs.frac:} the first ':' is that timestamp's, and the columns are read from the
 * same bytes. Anything else (another prefix, a longer number) goes the long way.
 */
final class RepeatedPrefix {
    private static final int MAX = 128;

    private final byte[] bytes = new byte[MAX];
    private int length;
    private String comm;
    private int tid;
    private int tgid;
    private int cpu;

    /** Remembers that {@code b[from, secsStart)} read as these columns. */
    void keep(byte[] b, int from, int secsStart, String comm, int tid, int tgid, int cpu) {
        int n = secsStart - from;
        if (n > MAX) {
            length = 0;
            return;
        }
        System.arraycopy(b, from, bytes, 0, n);
        length = n;
        this.comm = comm;
        this.tid = tid;
        this.tgid = tgid;
        this.cpu = cpu;
    }

    /**
     * The line {@code b[from, to)} read with the kept columns, when it starts with them and continues with
     * a timestamp of at most 10 + 9 digits and ": " (or the line's end); null otherwise.
     */
    ParsedLine read(byte[] b, int from, int to, LineParser grammar) {
        int n = length;
        int secsStart = from + n;
        if (n == 0 || to - secsStart < 4 || !Ascii.rangeEquals(bytes, 0, b, from, n)) {
            return null;
        }
        int dot = digitsForward(b, secsStart, to, 10);
        if (dot == secsStart || dot == to || b[dot] != '.') {
            return null;
        }
        int colon = digitsForward(b, dot + 1, to, 9);
        if (colon == dot + 1 || colon == to || b[colon] != ':' || (colon + 1 < to && b[colon + 1] != ' ')) {
            return null;
        }
        long tsNs = LineParser.secsFracNs(b, secsStart, dot, colon);
        return grammar.afterTimestamp(b, from, to, colon, comm, tid, tgid, cpu, tsNs);
    }

    /** The end of the run of at most {@code max} digits from {@code k}; a longer run ends on a digit. */
    private static int digitsForward(byte[] b, int k, int to, int max) {
        int end = Math.min(to, k + max);
        while (k < end && isDigit(b[k])) {
            k++;
        }
        return k;
    }
}
