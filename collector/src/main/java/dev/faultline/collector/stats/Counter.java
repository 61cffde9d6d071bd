package dev.faultline.collector.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count with one writer at a time, read by any thread (the metrics endpoint, the summary). The pipeline
 * counts every line and event under its own lock, so an atomic add (LongAdder's CAS, per line) buys
 * nothing there: a plain add, published with opaque access so a reader never sees a torn value.
 */
public final class Counter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through VALUE
    private long value;

    /** Only under the writers' common lock. */
    public void increment() {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
    }

    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
