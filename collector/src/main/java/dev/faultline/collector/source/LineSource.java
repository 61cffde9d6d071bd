package dev.faultline.collector.source;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.collector.source.ring.RingLoss;
import dev.faultline.collector.source.ring.RingRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Where a trace comes from, line by line or record by record: a replayed file or stdin, live capture, the simulator. */
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
     * Binary sources hand over {@link #record records} and {@link #lost loss} instead, in their place in the
     * stream; a receiver that reads only text gets them as the lines trace_pipe prints for them.
     */
    interface ByteLines {
        void line(byte[] b, int from, int to);

        /** A binary record (the live raw reader, trace.dat); by default handed on as its trace_pipe line. */
        default void record(RingRecord r) {
            byte[] b = r.line().getBytes(StandardCharsets.UTF_8);
            line(b, 0, b.length);
        }

        /**
         * {@code count} events (at least one) lost on {@code cpu} before what comes next: a ring page flagged as
         * following lost events, or one that does not decode. By default handed on as trace_pipe's line for it.
         */
        default void lost(int cpu, long count) {
            byte[] b = ("CPU:" + cpu + " [LOST " + count + " EVENTS]").getBytes(StandardCharsets.UTF_8);
            line(b, 0, b.length);
        }

        /** Hands on what a binary source queued: a {@link RingRecord}, a {@link RingLoss} or a line's bytes. */
        static void handOn(ByteLines out, Object item) {
            if (item instanceof RingRecord r) {
                out.record(r);
            } else if (item instanceof RingLoss l) {
                out.lost(l.cpu(), l.count());
            } else {
                byte[] b = (byte[]) item;
                out.line(b, 0, b.length);
            }
        }

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
