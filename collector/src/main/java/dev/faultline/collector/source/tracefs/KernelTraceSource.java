package dev.faultline.collector.source.tracefs;

import dev.faultline.collector.source.LineSource;
import java.io.IOException;

/** Live capture from tracefs, as trace text: the text reader or the binary one ({@code --reader}). */
public interface KernelTraceSource extends LineSource {

    /** Waits until tracing is on (false if the source failed to start or took longer). */
    boolean awaitStarted(long millis) throws InterruptedException;

    /**
     * Every line timed (CLOCK_MONOTONIC ns) at or before the returned time has been handed to {@link #run}'s
     * consumer; {@code fallback} where the source cannot tell, as trace_pipe cannot.
     */
    default long handedOverThrough(long fallback) {
        return fallback;
    }

    /**
     * How long a stop waits for the kernel to hand back the reader's stop marker before it ends the read
     * without it (a warning says so): a stop always ends {@link #run}.
     */
    long STOP_GIVE_UP_MILLIS = 10_000;

    /** Ends {@link #run} after what was traced so far has been read. */
    void stop() throws IOException;
}
