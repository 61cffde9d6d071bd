package dev.faultline.collector.publish;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.events.Event;

/** Where resolved events go: stdout as JSON lines, Kafka, or a test's list. */
public interface EventSink extends AutoCloseable {

    void accept(Event event);

    /** Events this sink had to drop (a full spool): reported here as loss. Only spooling sinks have any. */
    default void reportLossTo(LossSink sink) {
    }

    /** Pushes out anything buffered; called at the end of a replay. */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }
}
