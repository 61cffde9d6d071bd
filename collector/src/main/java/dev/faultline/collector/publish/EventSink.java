package dev.faultline.collector.publish;

import dev.faultline.events.Event;

/** Where resolved events go: stdout as JSON lines, Kafka, or a test's list. */
public interface EventSink extends AutoCloseable {

    void accept(Event event);

    /** Events this sink had to drop (a full spool): reported here as loss. Only spooling sinks have any. */
    default void reportLossTo(dev.faultline.collector.source.LineSource.LossSink sink) {
    }

    /** Pushes out anything buffered; called at the end of a replay. */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }

    /**
     * A sink refused an event (Kafka said no, stdout closed): not a bad line, so the pipeline's per-line
     * error handling lets it through; {@link #original} is what the sink threw.
     */
    final class Failed extends RuntimeException {
        public Failed(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }

        public RuntimeException original() {
            return (RuntimeException) getCause();
        }
    }
}
