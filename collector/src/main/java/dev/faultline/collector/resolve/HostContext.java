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
    /** Events that may share one clock read while the trace advances by less than a millisecond. */
    static final int EVENTS_PER_CLOCK_READ = 16;

    private long wallMillis;
    private long traceNsAtWallRead;
    private int sinceWallRead = EVENTS_PER_CLOCK_READ; // the first event reads the clock

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

    /**
     * The wall clock (epoch ms) for an event the collector reads now, whose trace time is {@code traceNs}.
     * A clock read costs 30-80 ns on these VMs, a tenth of an event's budget, so it is read again only when
     * the trace has moved on by a millisecond (or back), or after {@link #EVENTS_PER_CLOCK_READ} events:
     * events sharing a read were traced within 1 ms of each other and are read back to back.
     */
    public long wallMillis(long traceNs) {
        if (++sinceWallRead >= EVENTS_PER_CLOCK_READ || traceNs - traceNsAtWallRead >= 1_000_000L || traceNs < traceNsAtWallRead) {
            wallMillis = clock.millis();
            traceNsAtWallRead = traceNs;
            sinceWallRead = 0;
        }
        return wallMillis;
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
