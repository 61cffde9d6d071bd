package dev.faultline.collector.source.simulate;

/** Writes lines in the exact trace_pipe grammar with record-tgid (docs/design.md §3). */
final class TraceText {
    private TraceText() {
    }

    static String line(String comm, int tid, int tgid, int cpu, long tsNs, String event) {
        return String.format("%16s-%-7d (%7d) [%03d] ..... %6d.%06d: %s", comm, tid, tgid, cpu, tsNs / 1_000_000_000L,
                (tsNs % 1_000_000_000L) / 1000, event);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
