package dev.faultline.collector.source.ring;

/**
 * A binary record carries only a pid: where its thread name and thread group come from depends on the source
 * (/proc and the kernel's saved maps live, a trace.dat's saved_cmdlines replayed).
 */
public interface ThreadNames {
    int NO_TGID = -1;

    /** A thread's name and thread group id ({@link #NO_TGID} when not known). */
    interface Names {
        String comm();

        int tgid();
    }

    /** Names as a source knows them. */
    record Known(String comm, int tgid) implements Names {
    }

    /** The names of {@code pid}; {@code now}: System.nanoTime() taken after its record was read. */
    Names of(int pid, long now);

    /** The pid's thread exited: a later record of the same pid may be another thread. */
    void exited(int pid);

    /** Names that never change, by pid; {@code <...>} with no thread group for a pid not among them. */
    static ThreadNames fixed(java.util.Map<Integer, ? extends Names> byPid) {
        Names unknown = new Known("<...>", NO_TGID);
        return new ThreadNames() {
            @Override
            public Names of(int pid, long now) {
                Names n = byPid.get(pid);
                return n != null ? n : unknown;
            }

            @Override
            public void exited(int pid) {
                // fixed: a file's saved names, or a test's
            }
        };
    }
}
