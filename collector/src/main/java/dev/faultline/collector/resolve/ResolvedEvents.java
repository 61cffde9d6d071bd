package dev.faultline.collector.resolve;

import dev.faultline.events.EventHeader;

/**
 * The events the resolver made while handling one input, in order: the pipeline numbers them and hands them to
 * its sink once the resolver returns, so what the sink throws never passes through the resolver's per-line error
 * handling. One instance is reused for the whole run.
 */
public final class ResolvedEvents {
    private EventHeader[] headers = new EventHeader[8];
    private Object[] bodies = new Object[8];
    private int size;

    void add(EventHeader header, Object body) {
        if (size == headers.length) {
            headers = java.util.Arrays.copyOf(headers, size * 2);
            bodies = java.util.Arrays.copyOf(bodies, size * 2);
        }
        headers[size] = header;
        bodies[size++] = body;
    }

    public int size() {
        return size;
    }

    public EventHeader header(int i) {
        return headers[i];
    }

    public Object body(int i) {
        return bodies[i];
    }

    /**
     * Forgets the events handed on; {@link #header}/{@link #body} still read them until the next {@link #add}. The
     * references stay in the arrays until overwritten (a few events at most): no per-line cost to null them.
     */
    public void clear() {
        size = 0;
    }
}
