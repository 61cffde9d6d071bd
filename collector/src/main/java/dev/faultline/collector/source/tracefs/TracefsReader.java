package dev.faultline.collector.source.tracefs;

import dev.faultline.collector.source.tracefs.raw.TracefsRawSource;
import dev.faultline.events.EventSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How live capture reads the kernel's ring buffer ({@code collect --reader}). */
public enum TracefsReader {
    /** Binary pages of per_cpu/cpuN/trace_pipe_raw, decoded with the format files: the default. */
    RAW(EventSource.TRACEFS_RAW),
    /** The kernel's own text from trace_pipe: slower (the kernel formats every event), the fallback. */
    TEXT(EventSource.TRACEFS_TEXT);

    private final EventSource source;

    TracefsReader(EventSource source) {
        this.source = source;
    }

    /** What the events' headers say they came from. */
    public EventSource eventSource() {
        return source;
    }

    public KernelTraceSource open(Path root, List<String> events, int bufferKb, Map<String, String> filters) {
        return this == RAW ? new TracefsRawSource(root, events, bufferKb, filters)
                : new TracefsTextSource(root, events, bufferKb, filters);
    }
}
