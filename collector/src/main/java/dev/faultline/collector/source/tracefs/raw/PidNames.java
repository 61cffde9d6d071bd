package dev.faultline.collector.source.tracefs.raw;

import dev.faultline.collector.source.ring.ThreadNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread names and thread-group ids for the raw reader, which gets only a pid per record (the text
 * reader gets both from the kernel's saved cmdlines and tgids). Read from /proc and kept for a second,
 * since QEMU renames its vCPU threads after creating them; a process that has gone keeps what was last
 * read; after an exit the pid is read afresh, so a re-used one gets its new names.
 *
 * <p>A thread already gone from /proc when its first record is read (KVM's nx-recovery worker, which
 * joins the VMM's thread group and is often the last of it to exit) is looked up where trace_pipe looks:
 * tracefs's {@code saved_tgids} and {@code saved_cmdlines}, filled while record-tgid is on.
 */
final class PidNames implements ThreadNames {
    record Names(String comm, int tgid, long readAt) implements ThreadNames.Names {
    }

    static final int NO_TGID = ThreadNames.NO_TGID;
    private static final long FRESH_NANOS = 1_000_000_000L;
    private static final long STALE = Long.MIN_VALUE / 2;

    private final Path proc;
    private final Path tracefs;
    private final Map<Integer, Names> cache = new ConcurrentHashMap<>();
    private volatile Map<Integer, Names> saved = Map.of();
    private volatile long savedAt = Long.MIN_VALUE;

    /** {@code tracefs} may be null: no fallback. */
    PidNames(Path proc, Path tracefs) {
        this.proc = proc;
        this.tracefs = tracefs;
    }

    /** {@code now}: System.nanoTime() taken after the record was read from the kernel. */
    @Override
    public Names of(int pid, long now) {
        if (pid == 0) {
            return new Names("<idle>", 0, now);
        }
        Names n = cache.get(pid);
        if (n != null && now - n.readAt() < FRESH_NANOS) {
            return n;
        }
        Names read = read(pid, now);
        if (read == null && n == null) {
            read = kernelSaved(pid, now);
        }
        if (read != null) {
            cache.put(pid, read);
            return read;
        }
        return n != null ? n : new Names("<...>", NO_TGID, now);
    }

    /**
     * After the pid's exit: its next record reads /proc again (a re-used pid is a new process); the
     * exiting process's own last records (page-cache deletes as its files close) keep its names.
     */
    @Override
    public void exited(int pid) {
        cache.computeIfPresent(pid, (k, n) -> new Names(n.comm(), n.tgid(), STALE));
    }

    private Names read(int pid, long now) {
        try {
            String comm = Files.readString(proc.resolve(pid + "/comm")).strip();
            int tgid = NO_TGID;
            for (String line : Files.readAllLines(proc.resolve(pid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    tgid = Integer.parseInt(line.substring(5).strip());
                    break;
                }
            }
            return new Names(comm, tgid, now);
        } catch (IOException | RuntimeException e) {
            return null; // gone already
        }
    }

    /**
     * The kernel's own record of the pid. The files are read again only when the copy held was read
     * before this record reached us (a map read later holds every pid that had run by then).
     */
    private Names kernelSaved(int pid, long now) {
        if (tracefs == null) {
            return null;
        }
        if (savedAt < now) {
            synchronized (this) {
                if (savedAt < now) {
                    long at = System.nanoTime();
                    saved = readSaved(at);
                    savedAt = at;
                }
            }
        }
        return saved.get(pid);
    }

    private Map<Integer, Names> readSaved(long at) {
        Map<Integer, Integer> tgids = new HashMap<>();
        Map<Integer, String> comms = new HashMap<>();
        try {
            for (String line : Files.readAllLines(tracefs.resolve("saved_tgids"))) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    tgids.put(Integer.parseInt(line.substring(0, sp)), Integer.parseInt(line.substring(sp + 1).strip()));
                }
            }
            for (String line : Files.readAllLines(tracefs.resolve("saved_cmdlines"))) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    comms.put(Integer.parseInt(line.substring(0, sp)), line.substring(sp + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of(); // not this kernel's format: the names stay unknown, as before
        }
        Map<Integer, Names> out = new HashMap<>();
        tgids.forEach((pid, tgid) -> out.put(pid, new Names(comms.getOrDefault(pid, "<...>"), tgid, at)));
        return out;
    }
}
