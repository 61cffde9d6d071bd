package dev.faultline.collector.source.tracefs.raw;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small shell pinned to each CPU (taskset) that writes a line to the instance's {@code trace_marker}
 * when asked: a record on exactly that CPU. It wakes that CPU's reader and proves it has read everything
 * traced there before the marker, which is how a quiet CPU lets the merge go on (a tick) and how each
 * reader knows where to stop. Started once, so a marker costs a pipe write, not a process.
 */
final class CpuMarkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuMarkers.class);
    private static final String LOOP = "while IFS= read -r l; do printf '%s' \"$l\" > \"$1\"; done";

    private final List<Integer> cpus;
    private final List<Process> writers = new ArrayList<>();

    CpuMarkers(Path traceMarker, List<Integer> cpus) {
        this.cpus = cpus;
        for (int cpu : cpus) {
            Process p = null;
            try {
                p = new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "sh", "-c", LOOP, "mark", traceMarker.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                LOG.warn("raw reader: no marker writer on cpu {} ({}): that CPU's lines wait up to the merge window", cpu,
                        e.getMessage());
            }
            writers.add(p);
        }
    }

    /** Writes {@code text} as a marker on the CPU of this slot; false if that CPU has no writer. */
    synchronized boolean write(int slot, String text) {
        Process p = writers.get(slot);
        if (p == null) {
            return false;
        }
        try {
            OutputStream in = p.getOutputStream();
            in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return true;
        } catch (IOException e) {
            LOG.warn("raw reader: the marker writer on cpu {} ended ({}; taskset exit {})", cpus.get(slot), e.getMessage(),
                    p.isAlive() ? "none yet" : p.exitValue());
            writers.set(slot, null);
            return false;
        }
    }

    @Override
    public synchronized void close() {
        for (Process p : writers) {
            if (p != null) {
                try {
                    p.getOutputStream().close(); // the loop's read ends
                } catch (IOException e) {
                    // the writer is gone already
                }
                p.destroy();
            }
        }
    }
}
