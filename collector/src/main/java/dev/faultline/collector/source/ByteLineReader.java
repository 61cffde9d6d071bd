package dev.faultline.collector.source;

import dev.faultline.collector.text.Ascii;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines without decoding it: lines are handed over in place in the one array they
 * were read into, valid until the receiver returns (the next read writes over them). When the array is
 * full, the line it cut moves to its start (the array doubles when that line alone fills it, up to
 * {@link #MAX_LINE}). "\n" and "\r\n" end a line; the last line needs no terminator. One array, reused: a
 * fresh one per read was a quarter of the collector's allocation.
 *
 * <p>A line of {@link #MAX_LINE} bytes or more (no trace line is: the kernel prints at most a page per event)
 * is not read into memory: its first bytes go to {@link LineSource.ByteLines#overlong} and the rest is skipped
 * up to the next line, so a file without newlines costs one array, not all of memory.
 */
public final class ByteLineReader {
    static final int CHUNK = 1 << 16;
    /** Lines of this many bytes or more, terminator included, are overlong; shorter ones are read whole. */
    public static final int MAX_LINE = 1 << 20;

    private ByteLineReader() {
    }

    /** Reads {@code in} to its end. */
    public static void read(InputStream in, LineSource.ByteLines sink) throws IOException {
        read(in, sink, CHUNK, MAX_LINE);
    }

    static void read(InputStream in, LineSource.ByteLines sink, int chunk) throws IOException {
        read(in, sink, chunk, MAX_LINE);
    }

    static void read(InputStream in, LineSource.ByteLines sink, int chunk, int maxLine) throws IOException {
        byte[] buf = new byte[chunk];
        int lineStart = 0;
        int filled = 0;
        boolean skipping = false; // inside an overlong line, already reported
        int[] starts = new int[256];
        int[] ends = new int[256];
        while (true) {
            if (filled == buf.length) {
                int rest = filled - lineStart;
                if (skipping) {
                    filled = 0;
                    lineStart = 0;
                } else if (rest >= maxLine) {
                    sink.overlong(buf, lineStart, lineStart + Math.min(rest, OVERLONG_SAMPLE));
                    skipping = true;
                    filled = 0;
                    lineStart = 0;
                } else if (lineStart == 0) {
                    buf = Arrays.copyOf(buf, Math.min(2 * buf.length, Math.max(maxLine, chunk)));
                } else {
                    System.arraycopy(buf, lineStart, buf, 0, rest);
                    filled = rest;
                    lineStart = 0;
                }
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                break;
            }
            int scanFrom = filled;
            filled += n;
            if (skipping) {
                int nl = Ascii.indexOf(buf, scanFrom, filled, '\n');
                if (nl < 0) {
                    lineStart = filled;
                    continue;
                }
                skipping = false;
                lineStart = nl + 1;
                scanFrom = nl + 1;
            }
            int lines = 0;
            for (int nl = Ascii.indexOf(buf, scanFrom, filled, '\n'); nl >= 0; nl = Ascii.indexOf(buf, nl + 1, filled, '\n')) {
                if (lines == starts.length) {
                    starts = Arrays.copyOf(starts, 2 * lines);
                    ends = Arrays.copyOf(ends, 2 * lines);
                }
                starts[lines] = lineStart;
                ends[lines++] = withoutCr(buf, lineStart, nl);
                lineStart = nl + 1;
            }
            if (lines > 0) {
                sink.lines(buf, starts, ends, lines);
            }
        }
        if (filled > lineStart && !skipping) {
            sink.line(buf, lineStart, withoutCr(buf, lineStart, filled));
        }
    }

    /** Bytes of an overlong line handed to {@link LineSource.ByteLines#overlong}. */
    static final int OVERLONG_SAMPLE = 256;

    private static int withoutCr(byte[] b, int from, int to) {
        return to > from && b[to - 1] == '\r' ? to - 1 : to;
    }
}
