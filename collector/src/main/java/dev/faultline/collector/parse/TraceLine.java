package dev.faultline.collector.parse;

import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.text.Ascii;
import java.util.Arrays;

/**
 * One event line: {@code <comm>-<tid> [(<tgid>)] [<cpu>] [<flags>] <secs.frac>: <event>: <payload>}.
 * Syscall events print without the {@code event:} prefix: {@code sys_ioctl(fd: 5, ...)} is an
 * {@link Kind#SYSCALL_ENTER} with the argument list as payload, {@code sys_ioctl -> 0x0} a
 * {@link Kind#SYSCALL_EXIT} with the return value as payload.
 *
 * <p>The payload stays in the line's bytes, which the reader hands over for the time the line is handled
 * and then reads the next lines into: the payload parsers read it in place, only an error message or a
 * test makes it a String, and what outlives its line (a syscall waiting for its exit) keeps
 * {@link #retained()}.
 *
 * <p>A binary record ({@link #of(RingRecord)}) gives the same header without text: its payload is read from the
 * record's fields, and its text is printed only for a message.
 */
public final class TraceLine implements ParsedLine {

    public enum Kind { EVENT, SYSCALL_ENTER, SYSCALL_EXIT }

    public static final int NO_TGID = -1;

    private final String comm;
    private final int tid;
    private final int tgid;
    private final int cpu;
    private final long tsNs;
    private final String event;
    private final Kind kind;
    /** The line's bytes (byte[]), or the binary record it stands for (its text printed on demand): one field, so a
     * line stays 64 bytes. */
    private final Object source;
    private final int lineFrom;
    private final int lineTo;
    private final int payloadFrom;
    private final int payloadTo;

    TraceLine(String comm, int tid, int tgid, int cpu, long tsNs, String event, Kind kind,
              byte[] text, int lineFrom, int lineTo, int payloadFrom, int payloadTo) {
        this.comm = comm;
        this.tid = tid;
        this.tgid = tgid;
        this.cpu = cpu;
        this.tsNs = tsNs;
        this.event = event;
        this.kind = kind;
        this.source = text;
        this.lineFrom = lineFrom;
        this.lineTo = lineTo;
        this.payloadFrom = payloadFrom;
        this.payloadTo = payloadTo;
    }

    private TraceLine(RingRecord r, String comm, Kind kind) {
        this.comm = comm;
        this.tid = r.pid();
        this.tgid = r.tgid() == RingRecord.NO_TGID ? NO_TGID : r.tgid();
        this.cpu = r.cpu();
        this.tsNs = r.tsNs();
        this.event = r.event();
        this.kind = kind;
        this.source = r;
        this.lineFrom = 0;
        this.lineTo = 0;
        this.payloadFrom = 0;
        this.payloadTo = 0;
    }

    /** The header of a binary record, as the parser reads it from the record's trace_pipe line. */
    public static TraceLine of(RingRecord r) {
        Kind kind = r.isSyscallEnter() ? Kind.SYSCALL_ENTER : r.isSyscallExit() ? Kind.SYSCALL_EXIT : Kind.EVENT;
        // the comm as the source knows it, exactly: the text parser trims a printed one and takes a leading "word: "
        // for trace-cmd's buffer name, which a record's comm never carries
        return new TraceLine(r, r.comm() == null || r.comm().equals("<...>") ? null : r.comm(), kind);
    }

    /** The binary record this line stands for, or null for a line of text. */
    public RingRecord record() {
        return source instanceof RingRecord r ? r : null;
    }

    /** Task name, or null for the {@code <...>} placeholder. */
    public String comm() {
        return comm;
    }

    public int tid() {
        return tid;
    }

    /** Process id, or {@link #NO_TGID} when the column is absent or shows {@code (-------)}. */
    public int tgid() {
        return tgid;
    }

    public boolean hasTgid() {
        return tgid != NO_TGID;
    }

    public int cpu() {
        return cpu;
    }

    public long tsNs() {
        return tsNs;
    }

    public String event() {
        return event;
    }

    public Kind kind() {
        return kind;
    }

    /** This line with a copy of its bytes, for keeping past the call that handed it over. */
    public TraceLine retained() {
        if (!(source instanceof byte[] text)) {
            return this; // a record owns its bytes
        }
        byte[] own = Arrays.copyOfRange(text, lineFrom, lineTo);
        return new TraceLine(comm, tid, tgid, cpu, tsNs, event, kind, own, 0, lineTo - lineFrom,
                payloadFrom - lineFrom, payloadTo - lineFrom);
    }

    /** The payload as text (made on each call: for messages and tests, not the per-event path). */
    public String payload() {
        if (source instanceof RingRecord r) {
            return r.payload();
        }
        return Ascii.string((byte[]) source, payloadFrom, payloadTo);
    }

    /** The whole line as text, for messages. */
    public String text() {
        return source instanceof RingRecord r ? r.line() : Ascii.string((byte[]) source, lineFrom, lineTo);
    }

    Cursor payloadCursor() {
        if (!(source instanceof byte[] text)) {
            throw new IllegalStateException("a binary record's payload is read from its fields");
        }
        return new Cursor(text, payloadFrom, payloadTo);
    }

    @Override
    public String toString() {
        return "TraceLine[" + comm + "-" + tid + " (" + tgid + ") [" + cpu + "] " + tsNs + " " + event + " " + kind
                + ": " + payload() + "]";
    }
}
