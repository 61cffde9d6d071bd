package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A binary record as the line {@code trace_pipe} would print for it ({@code comm-tid (tgid) [cpu] flags
 * secs.nanos: event: payload}, syscalls as {@code sys_x(arg: 0x..)} and {@code sys_x -> 0x..}), so the raw
 * reader feeds the same parser, resolver and tests as the text reader.
 */
public final class RecordRenderer {
    private sealed interface Kind {
    }

    private record Printed(EventFormat format, PrintFormat print) implements Kind {
    }

    private record SyscallEnter(String name, List<EventFormat.Field> args) implements Kind {
    }

    private record SyscallExit(String name, EventFormat.Field ret) implements Kind {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordRenderer.class);

    private final Map<Integer, Kind> byId = new HashMap<>();
    private final ThreadNames pids;
    private final EventFormat.Field commonType;
    private final EventFormat.Field commonPid;
    private final int exitEvent;

    /**
     * The formats of the enabled events, each compiled once; one whose print format cannot be evaluated
     * is left out with a warning naming it (its records are then skipped like any event not enabled).
     */
    public RecordRenderer(List<EventFormat> formats, ThreadNames pids) {
        this.pids = pids;
        EventFormat.Field type = null;
        EventFormat.Field pid = null;
        int exit = -1;
        for (EventFormat f : formats) {
            try {
                byId.put(f.id(), kind(f));
            } catch (IllegalArgumentException e) {
                LOG.warn("raw reader: {}: these events are not read", e.getMessage());
                continue;
            }
            type = f.field("common_type");
            pid = f.field("common_pid");
            if (f.name().equals("sched_process_exit")) {
                exit = f.id();
            }
        }
        if (!formats.isEmpty() && (type == null || pid == null)) {
            throw new IllegalArgumentException("format files without common_type/common_pid");
        }
        this.commonType = type;
        this.commonPid = pid;
        this.exitEvent = exit;
    }

    /** Why records of this format cannot be rendered (left out, as the constructor would), or null when they can. */
    public static String undecodable(EventFormat f) {
        try {
            kind(f);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static Kind kind(EventFormat f) {
        if (f.system().equals("syscalls")) {
            String call = "sys_" + f.name().substring(f.name().indexOf('_', 4) + 1);
            if (f.name().startsWith("sys_enter_")) {
                List<EventFormat.Field> args = new ArrayList<>();
                for (EventFormat.Field field : f.fields().values()) {
                    if (!field.name().startsWith("common_") && !field.name().equals("__syscall_nr")) {
                        args.add(field);
                    }
                }
                return new SyscallEnter(call, args);
            }
            EventFormat.Field ret = f.field("ret");
            if (ret == null) {
                throw new IllegalArgumentException(f.system() + "/" + f.name() + ": no ret field");
            }
            return new SyscallExit(call, ret);
        }
        return new Printed(f, PrintFormat.compile(f));
    }

    /**
     * Appends the line for the record at {@code page[offset, offset+length)}; returns false (appending
     * nothing) for an event that was not enabled.
     */
    public boolean render(int cpu, long ts, ByteBuffer page, int offset, int length, long now, StringBuilder out) {
        int id = (int) commonType.number(page, offset);
        Kind kind = byId.get(id);
        if (kind == null) {
            return false;
        }
        int pid = (int) commonPid.number(page, offset);
        ThreadNames.Names n = pids.of(pid, now);
        out.append(n.comm()).append('-').append(pid).append(" (");
        if (n.tgid() == ThreadNames.NO_TGID) {
            out.append("-------");
        } else {
            out.append(n.tgid());
        }
        out.append(") [");
        if (cpu < 100) {
            out.append(cpu < 10 ? "00" : "0");
        }
        out.append(cpu).append("] ..... ").append(ts / 1_000_000_000L).append('.');
        long frac = ts % 1_000_000_000L;
        for (long digit = 100_000_000L; digit > 1 && frac < digit; digit /= 10) {
            out.append('0'); // nanoseconds zero-padded to 9 digits
        }
        out.append(frac).append(": ");
        if (kind instanceof Printed p) {
            out.append(p.format().name()).append(": ");
            p.print().render(new FormatExpr.Rec(page, offset, length), out);
        } else if (kind instanceof SyscallEnter s) {
            out.append(s.name()).append('(');
            for (int i = 0; i < s.args().size(); i++) {
                EventFormat.Field f = s.args().get(i);
                out.append(i == 0 ? "" : ", ").append(f.name()).append(": 0x").append(Long.toHexString(f.number(page, offset)));
            }
            out.append(')');
        } else {
            SyscallExit s = (SyscallExit) kind;
            out.append(s.name()).append(" -> 0x").append(Long.toHexString(s.ret().number(page, offset)));
        }
        if (id == exitEvent) {
            pids.exited(pid);
        }
        return true;
    }
}
