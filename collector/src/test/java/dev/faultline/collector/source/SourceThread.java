package dev.faultline.collector.source;

import java.util.function.Consumer;

/** Test helper: a source run on a thread of its own, as the collector runs it, its lines handed to {@code lines}. */
public final class SourceThread {
    private SourceThread() {
    }

    /** Started; a failure of the source ends the thread with the exception (printed as uncaught). */
    public static Thread start(LineSource source, Consumer<String> lines) {
        Thread t = new Thread(() -> {
            try {
                source.run(lines);
            } catch (Exception e) {
                throw new IllegalStateException("source failed: " + e.getMessage(), e);
            }
        }, "test-source");
        t.start();
        return t;
    }
}
