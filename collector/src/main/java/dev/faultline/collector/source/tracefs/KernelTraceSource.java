package dev.faultline.collector.source.tracefs;

import dev.faultline.collector.source.LineSource;
import java.io.IOException;

/** Live capture from tracefs, as trace text: the text reader or the binary one ({@code --reader}). */
public interface KernelTraceSource extends LineSource {

    /** Waits until tracing is on (false if the source failed to start or took longer). */
    boolean awaitStarted(long millis) throws InterruptedException;

    /** Ends {@link #run} after what was traced so far has been read. */
    void stop() throws IOException;
}
