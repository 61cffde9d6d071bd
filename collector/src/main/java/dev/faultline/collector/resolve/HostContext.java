package dev.faultline.collector.resolve;

import dev.faultline.events.EventSource;
import java.time.Clock;

/**
 * Per-host facts the resolver stamps on every event: host name, source, wall clock, the
 * per-host sequence number, and the TDX shared-GPA bit (47 with 4-level EPT, 51 with 5-level).
 */
public final class HostContext {
    private final String host;
    private final EventSource source;
    private final Clock clock;
    private final int tdxSharedBit;
    private final FdInspector fds;
    private long nextSeq;
    private SequenceStore sequences;

    public HostContext(String host, EventSource source, Clock clock, int tdxSharedBit, long firstSeq) {
        this(host, source, clock, tdxSharedBit, firstSeq, FdInspector.NONE);
    }

    /** With {@code fds}: live capture, where a VMM's file descriptors can be looked at in /proc. */
    public HostContext(String host, EventSource source, Clock clock, int tdxSharedBit, long firstSeq, FdInspector fds) {
        if (tdxSharedBit != 47 && tdxSharedBit != 51) {
            throw new IllegalArgumentException("TDX shared bit must be 47 or 51, not " + tdxSharedBit);
        }
        this.host = host;
        this.source = source;
        this.clock = clock;
        this.tdxSharedBit = tdxSharedBit;
        this.nextSeq = firstSeq;
        this.fds = fds;
    }

    public FdInspector fds() {
        return fds;
    }

    public static HostContext replay(String host) {
        return new HostContext(host, EventSource.REPLAY, Clock.systemUTC(), 47, 1);
    }

    public String host() {
        return host;
    }

    public EventSource source() {
        return source;
    }

    public long wallMillis() {
        return clock.millis();
    }

    public int tdxSharedBit() {
        return tdxSharedBit;
    }

    /** Sequence numbers from a store that survives restarts (live capture). */
    public HostContext persistSequences(SequenceStore store) {
        this.sequences = store;
        return this;
    }

    public long nextSeq() {
        return sequences != null ? sequences.next() : nextSeq++;
    }
}
