package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the binary records of the enabled events out of ring-buffer pages, the one decoder of the live raw reader
 * and trace.dat: each record becomes a {@link RingRecord} (time, CPU, pid with the thread's names, its event's
 * format, its bytes), which the parser reads from its fields where it has field readers for the event, and from
 * its printed text otherwise. The formats are compiled once.
 */
public final class RecordReader {
    /** How an event's records are printed, when they are: by the print format, or as syscall lines. */
    sealed interface Kind {
    }

    record Printed(EventFormat format, PrintFormat print) implements Kind {
    }

    record SyscallEnter(EventFormat format, String name, List<EventFormat.Field> args) implements Kind {
    }

    record SyscallExit(EventFormat format, String name, EventFormat.Field ret) implements Kind {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordReader.class);

    private final Map<Integer, Kind> byId = new HashMap<>();
    private final ThreadNames pids;
    private final EventFormat.Field commonType;
    private final EventFormat.Field commonPid;
    private final int exitEvent;

    /**
     * The formats of the enabled events, each compiled once; one whose print format cannot be evaluated
     * is left out with a warning naming it (its records are then skipped like any event not enabled).
     */
    public RecordReader(List<EventFormat> formats, ThreadNames pids) {
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

    /** Why records of this format cannot be read (left out, as the constructor would), or null when they can. */
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
                return new SyscallEnter(f, call, List.copyOf(args));
            }
            EventFormat.Field ret = f.field("ret");
            if (ret == null) {
                throw new IllegalArgumentException(f.system() + "/" + f.name() + ": no ret field");
            }
            return new SyscallExit(f, call, ret);
        }
        return new Printed(f, PrintFormat.compile(f));
    }

    /**
     * The record at {@code page[offset, offset+length)} of {@code cpu} at {@code ts} (ns), its bytes copied; null
     * for an event that was not enabled. {@code now}: System.nanoTime() after the page was read (names by pid).
     */
    public RingRecord read(int cpu, long ts, ByteBuffer page, int offset, int length, long now) {
        int id = (int) commonType.number(page, offset);
        Kind kind = byId.get(id);
        if (kind == null) {
            return null;
        }
        int pid = (int) commonPid.number(page, offset);
        ThreadNames.Names n = pids.of(pid, now);
        byte[] data = new byte[length];
        page.get(offset, data);
        if (id == exitEvent) {
            pids.exited(pid);
        }
        return new RingRecord(cpu, ts, pid, n.comm(), n.tgid(), kind, data);
    }
}
