package dev.faultline.collector.source;

import dev.faultline.collector.parse.Ascii;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines without decoding it: lines are handed over in place in the array they were
 * read into, and an array is never written again below what was handed over. When an array is full, the
 * line it cut starts a fresh one (twice its length when the line alone fills the array). "\n" and "\r\n"
 * end a line; the last line needs no terminator.
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
                byte[] next = new byte[Math.max(chunk, 2 * rest)];
                System.arraycopy(buf, lineStart, next, 0, rest);
                buf = next;
                filled = rest;
                lineStart = 0;
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
