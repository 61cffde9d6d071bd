package dev.faultline.collector.source.tracefs.raw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread names and thread-group ids for the raw reader, which gets only a pid per record (the text
 * reader gets both from the kernel's saved cmdlines and tgids). Read from /proc and kept for a second,
 * since QEMU renames its vCPU threads after creating them; a process that has gone keeps what was last
 * read; after an exit the pid is read afresh, so a re-used one gets its new names.
 */
final class PidNames {
    record Names(String comm, int tgid, long readAt) {
    }

    static final int NO_TGID = -1;
    private static final long FRESH_NANOS = 1_000_000_000L;
    private static final long STALE = Long.MIN_VALUE / 2;

    private final Path proc;
    private final Map<Integer, Names> cache = new ConcurrentHashMap<>();

    PidNames(Path proc) {
        this.proc = proc;
    }

    Names of(int pid, long now) {
        if (pid == 0) {
            return new Names("<idle>", 0, now);
        }
        Names n = cache.get(pid);
        if (n != null && now - n.readAt() < FRESH_NANOS) {
            return n;
        }
        Names read = read(pid, now);
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
    void exited(int pid) {
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
}
