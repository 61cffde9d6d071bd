package dev.faultline.collector.resolve;

import dev.faultline.events.Event;

/** Where the resolver's events go: the pipeline that owns the resolver hands them to its sink. */
@FunctionalInterface
public interface Emitter {
    void emit(Event event);

    /**
     * The emitter refused an event (Kafka said no, stdout closed): not the line's fault, so the resolver's and the
     * pipeline's per-line error handling let it through; {@link #original} is what was thrown.
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
