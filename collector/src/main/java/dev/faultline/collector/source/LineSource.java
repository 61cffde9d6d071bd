package dev.faultline.collector.source;

import java.io.IOException;
import java.util.function.Consumer;

/** Trace text, line by line: a replayed file, stdin, or the simulator. */
public interface LineSource {

    void run(Consumer<String> lines) throws IOException;

    /** Events lost below the text (ring-buffer overruns): reported here. Only live sources have any. */
    default void reportLossTo(LossSink sink) {
    }

    /** Where lost events are reported. */
    interface LossSink {
        void loss(int cpu, long count, dev.faultline.events.LossReason reason);
    }
}
