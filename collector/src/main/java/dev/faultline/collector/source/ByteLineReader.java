package dev.faultline.collector.source;

import dev.faultline.collector.parse.Ascii;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines without decoding it: lines are handed over in place in the one array they
 * were read into, valid until the receiver returns (the next read writes over them). When the array is
 * full, the line it cut moves to its start (the array doubles when that line alone fills it). "\n" and
 * "\r\n" end a line; the last line needs no terminator. One array, reused: a fresh one per read was a
 * quarter of the collector's allocation.
 */
public final class ByteLineReader {
    static final int CHUNK = 1 << 16;

    private ByteLineReader() {
    }

    /** Reads {@code in} to its end. */
    public static void read(InputStream in, LineSource.ByteLines sink) throws IOException {
        read(in, sink, CHUNK);
    }

    static void read(InputStream in, LineSource.ByteLines sink, int chunk) throws IOException {
        byte[] buf = new byte[chunk];
        int lineStart = 0;
        int filled = 0;
        int[] starts = new int[256];
        int[] ends = new int[256];
        while (true) {
            if (filled == buf.length) {
                int rest = filled - lineStart;
                if (lineStart == 0) {
                    buf = Arrays.copyOf(buf, 2 * buf.length);
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
        if (filled > lineStart) {
            sink.line(buf, lineStart, withoutCr(buf, lineStart, filled));
        }
    }

    private static int withoutCr(byte[] b, int from, int to) {
        return to > from && b[to - 1] == '\r' ? to - 1 : to;
    }
}
