package dev.faultline.collector.parse;

import dev.faultline.collector.text.Ascii;
import static dev.faultline.collector.text.Ascii.isDigit;

import dev.faultline.collector.text.TraceTimes;

/**
 * The columns before the timestamp ({@code comm-tid (tgid) [cpu] flags}) of recent lines
 * {@link LineParser#usualColumns} read, kept as bytes with what they decoded to. A host has a few busy
 * threads (vCPUs, the VMM's main loop), each writing on one CPU with a few flag states, so most lines start
 * with bytes seen shortly before: then only their timestamp is new. Reading those columns was the largest
 * part of the line grammar. With several vCPUs the lines of different threads interleave (every other line
 * in the simulator's trace), so one kept prefix was not enough.
 *
 * <p>A small set-associative table: the set is chosen by the line's first 24 bytes, which hold the thread
 * name and id in every layout tracefs prints, and its ways hold that thread's CPU and flag variants.
 * The key only chooses where to look; a prefix is used when all of its bytes equal the line's start.
 *
 * <p>Same answer as reading the columns again: the kept bytes hold no ':' and end in a space (they were
 * the prefix of a line whose first ':' followed its timestamp), so on a line that starts with them and
 * goes on with {@code secs.frac:} the first ':' is that timestamp's, and the columns are read from the
 * same bytes. Anything else (another prefix, a longer number) goes the long way.
 */
final class KnownPrefixes {
    private static final int MAX = 128;
    private static final int KEY_BYTES = 24;
    private static final int SET_BITS = 4;
    private static final int WAYS = 4;

    /** One kept prefix; {@code length} 0 while unused. */
    private static final class Prefix {
        final byte[] bytes = new byte[MAX];
        int length;
        String comm;
        int tid;
        int tgid;
        int cpu;
    }

    private final Prefix[] ways = new Prefix[(1 << SET_BITS) * WAYS];
    private final int[] nextVictim = new int[1 << SET_BITS];

    KnownPrefixes() {
        for (int k = 0; k < ways.length; k++) {
            ways[k] = new Prefix();
        }
    }

    /**
     * Remembers that {@code b[from, secsStart)} read as these columns, in place of the set's oldest. A prefix
     * shorter than the key is not kept: its key would hold timestamp digits, and its entry would only evict.
     */
    void keep(byte[] b, int from, int secsStart, String comm, int tid, int tgid, int cpu) {
        int n = secsStart - from;
        if (n > MAX || n < KEY_BYTES) {
            return;
        }
        int set = set(b, from);
        int way = nextVictim[set];
        nextVictim[set] = (way + 1) % WAYS;
        Prefix p = ways[set * WAYS + way];
        System.arraycopy(b, from, p.bytes, 0, n);
        p.length = n;
        p.comm = comm;
        p.tid = tid;
        p.tgid = tgid;
        p.cpu = cpu;
    }

    /**
     * The line {@code b[from, to)} read with kept columns, when it starts with them and continues with
     * a timestamp of at most 10 + 9 digits and ": " (or the line's end); null otherwise.
     */
    ParsedLine read(byte[] b, int from, int to, LineParser grammar) {
        if (to - from < KEY_BYTES) {
            return null;
        }
        int first = set(b, from) * WAYS;
        for (int k = first; k < first + WAYS; k++) {
            Prefix p = ways[k];
            int n = p.length;
            if (n != 0 && to - from - n >= 4 && Ascii.rangeEquals(p.bytes, 0, b, from, n)) {
                return afterPrefix(b, from, to, from + n, p, grammar);
            }
        }
        return null;
    }

    private static ParsedLine afterPrefix(byte[] b, int from, int to, int secsStart, Prefix p, LineParser grammar) {
        int dot = digitsForward(b, secsStart, to, 10);
        if (dot == secsStart || dot == to || b[dot] != '.') {
            return null;
        }
        int colon = digitsForward(b, dot + 1, to, 9);
        if (colon == dot + 1 || colon == to || b[colon] != ':' || (colon + 1 < to && b[colon + 1] != ' ')) {
            return null;
        }
        long tsNs = TraceTimes.secsFracNs(b, secsStart, dot, colon);
        if (tsNs < 0) {
            return null;
        }
        return grammar.afterTimestamp(b, from, to, colon, p.comm, p.tid, p.tgid, p.cpu, tsNs);
    }

    /** The set for a line that starts at {@code from} (at least {@link #KEY_BYTES} bytes long). */
    private static int set(byte[] b, int from) {
        long h = Ascii.wordHash(Ascii.word(b, from), Ascii.word(b, from + 8), Ascii.word(b, from + 16), KEY_BYTES);
        return (int) (h >>> (64 - SET_BITS));
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
