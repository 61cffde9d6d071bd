package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One binary trace record as a source hands it over: when (ns) and on which CPU, the thread (pid; comm and tgid as
 * the source knows them), its event's format and its bytes from {@code common_type} on. Its fields are read by
 * name ({@link #field}, {@link #number}); {@link #line()} prints it as {@code trace_pipe} would, for an event the
 * parser has no field reader for and for messages.
 */
public final class RingRecord {
    /** The tgid of a thread whose group the source does not know. */
    public static final int NO_TGID = ThreadNames.NO_TGID;

    private final int cpu;
    private final long tsNs;
    private final int pid;
    private final String comm;
    private final int tgid;
    private final RecordReader.Kind kind;
    private final ByteBuffer data;

    RingRecord(int cpu, long tsNs, int pid, String comm, int tgid, RecordReader.Kind kind, byte[] data) {
        this.cpu = cpu;
        this.tsNs = tsNs;
        this.pid = pid;
        this.comm = comm;
        this.tgid = tgid;
        this.kind = kind;
        this.data = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int cpu() {
        return cpu;
    }

    public long tsNs() {
        return tsNs;
    }

    public int pid() {
        return pid;
    }

    /** The thread's name as the source knows it ({@code <...>} when it does not, {@code <idle>} for pid 0). */
    public String comm() {
        return comm;
    }

    public int tgid() {
        return tgid;
    }

    /** The event's format file name: {@code kvm_exit}, {@code sys_enter_ioctl}. */
    public String formatName() {
        return format().name();
    }

    /** The event as trace_pipe names it: the format's name, or the syscall's ({@code sys_ioctl}) for syscall records. */
    public String event() {
        if (kind instanceof RecordReader.SyscallEnter s) {
            return s.name();
        }
        return kind instanceof RecordReader.SyscallExit s ? s.name() : format().name();
    }

    public boolean isSyscallEnter() {
        return kind instanceof RecordReader.SyscallEnter;
    }

    public boolean isSyscallExit() {
        return kind instanceof RecordReader.SyscallExit;
    }

    public EventFormat format() {
        if (kind instanceof RecordReader.Printed p) {
            return p.format();
        }
        return kind instanceof RecordReader.SyscallEnter s ? s.format() : ((RecordReader.SyscallExit) kind).format();
    }

    /** A field of the record's event, or null when its format has none of that name. */
    public EventFormat.Field field(String name) {
        return format().field(name);
    }

    /** A numeric field's value, sign-extended where the kernel says it is signed. */
    public long number(EventFormat.Field f) {
        return f.number(data, 0);
    }

    /**
     * The line trace_pipe prints for this record: {@code comm-pid (tgid) [cpu] ..... secs.nanos: event: payload}. Never
     * throws: a record its format cannot print (a hostile file: a field past the record's end, a string where a
     * number is printed) gets {@code <unprintable: why>} as its payload, which no payload parser accepts, so the
     * record is counted as a bad payload with the reason.
     */
    public String line() {
        StringBuilder out = new StringBuilder(160);
        out.append(comm).append('-').append(pid).append(" (");
        if (tgid == NO_TGID) {
            out.append("-------");
        } else {
            out.append(tgid);
        }
        out.append(") [");
        if (cpu < 100) {
            out.append(cpu < 10 ? "00" : "0");
        }
        out.append(cpu).append("] ..... ").append(tsNs / 1_000_000_000L).append('.');
        long frac = tsNs % 1_000_000_000L;
        for (long digit = 100_000_000L; digit > 1 && frac < digit; digit /= 10) {
            out.append('0'); // nanoseconds zero-padded to 9 digits
        }
        out.append(frac).append(": ");
        int payloadAt = out.length();
        try {
            appendPayload(out);
        } catch (RuntimeException e) {
            out.setLength(payloadAt);
            out.append(event()).append(kind instanceof RecordReader.Printed ? ": " : " ").append(unprintable(e));
        }
        return out.toString();
    }

    private static String unprintable(RuntimeException e) {
        return "<unprintable: " + e + ">";
    }

    /** What follows the time stamp: {@code event: payload}, {@code sys_x(payload)} or {@code sys_x -> payload}. */
    private void appendPayload(StringBuilder out) {
        if (kind instanceof RecordReader.Printed p) {
            out.append(p.format().name()).append(": ");
            appendPayloadOnly(out);
        } else if (kind instanceof RecordReader.SyscallEnter s) {
            out.append(s.name()).append('(');
            appendPayloadOnly(out);
            out.append(')');
        } else {
            out.append(((RecordReader.SyscallExit) kind).name()).append(" -> ");
            appendPayloadOnly(out);
        }
    }

    /** The payload as trace_pipe prints it: the print format's text, a syscall's arguments or its return value; never throws. */
    public String payload() {
        StringBuilder out = new StringBuilder(120);
        try {
            appendPayloadOnly(out);
        } catch (RuntimeException e) {
            return unprintable(e); // never throws, as line()
        }
        return out.toString();
    }

    private void appendPayloadOnly(StringBuilder out) {
        if (kind instanceof RecordReader.Printed p) {
            p.print().render(new FormatExpr.Rec(data, 0, data.capacity()), out);
        } else if (kind instanceof RecordReader.SyscallEnter s) {
            for (int i = 0; i < s.args().size(); i++) {
                EventFormat.Field f = s.args().get(i);
                out.append(i == 0 ? "" : ", ").append(f.name()).append(": 0x").append(Long.toHexString(f.number(data, 0)));
            }
        } else {
            out.append("0x").append(Long.toHexString(((RecordReader.SyscallExit) kind).ret().number(data, 0)));
        }
    }

    /** The arguments of a syscall enter record, in the format's order ({@code __syscall_nr} left out); else empty. */
    public java.util.List<EventFormat.Field> syscallArgs() {
        return kind instanceof RecordReader.SyscallEnter s ? s.args() : java.util.List.of();
    }

    @Override
    public String toString() {
        return line();
    }
}
