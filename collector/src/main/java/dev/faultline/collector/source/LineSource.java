package dev.faultline.collector.source;

import dev.faultline.collector.loss.LossSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Trace text, line by line: a replayed file, stdin, or the simulator. */
public interface LineSource {

    void run(Consumer<String> lines) throws IOException;

    /**
     * The same lines as UTF-8 bytes, the form the parser reads. Sources that read bytes override this
     * and skip the String; the default encodes each line.
     */
    default void runBytes(ByteLines lines) throws IOException {
        run(s -> {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            lines.line(b, 0, b.length);
        });
    }

    /** Events lost below the text (ring-buffer overruns): reported here. Only live sources have any. */
    default void reportLossTo(LossSink sink) {
    }


    /**
     * Receives one line as {@code b[from, to)}, without its terminator. The bytes are valid until the
     * call returns: a source may read the next lines into the same array, so a receiver copies what it keeps.
     */
    interface ByteLines {
        void line(byte[] b, int from, int to);

        /** Hands each line on decoded, for a byte source's {@link LineSource#run}. */
        static ByteLines decoding(Consumer<String> lines) {
            return (b, from, to) -> lines.accept(new String(b, from, to - from, StandardCharsets.UTF_8));
        }

        /**
         * A line longer than the reader holds ({@link ByteLineReader#MAX_LINE}): {@code b[from, to)} is its
         * start, and the rest of it is not read. A receiver that counts bad lines counts it (the pipeline
         * does); by default the start is handed on as a line of its own.
         */
        default void overlong(byte[] b, int from, int to) {
            line(b, from, to);
        }

        /**
         * Lines {@code b[starts[i], ends[i])} for i < n, all in one array: a receiver that locks per call
         * takes them under one lock.
         */
        default void lines(byte[] b, int[] starts, int[] ends, int n) {
            for (int i = 0; i < n; i++) {
                line(b, starts[i], ends[i]);
            }
        }
    }
}
