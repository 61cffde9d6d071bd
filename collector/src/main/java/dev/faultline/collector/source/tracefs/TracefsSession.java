package dev.faultline.collector.source.tracefs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracing set up for the collector in a tracefs instance of its own ({@code instances/faultline-<pid>}):
 * its own ring buffer, event switches and options, so the global tracing state is never touched. Closing
 * disables the events and removes the instance; if tracefs had to be mounted, it is unmounted again.
 */
public final class TracefsSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TracefsSession.class);

    /** The events the analyser needs (docs/design.md §3), as system/event. */
    public static final List<String> STANDARD_EVENTS = List.of(
            "kvm/kvm_page_fault", "kvm/kvm_mmio", "kvm/kvm_pio", "kvm/kvm_hypercall", "kvm/kvm_userspace_exit",
            "kvm/kvm_exit", "kvm/kvm_rmp_fault", "kvm/kvm_vmgexit_enter", "kvm/kvm_unmap_hva_range",
            "kvmmmu/kvm_mmu_set_spte", "kvmmmu/kvm_tdp_mmu_spte_changed", "kvmmmu/kvm_mmu_split_huge_page",
            "syscalls/sys_enter_ioctl", "syscalls/sys_exit_ioctl", "syscalls/sys_enter_fallocate",
            "syscalls/sys_exit_fallocate", "filemap/mm_filemap_add_to_page_cache",
            "filemap/mm_filemap_delete_from_page_cache", "filemap/mm_filemap_fault", "sched/sched_process_exit");

    private static final java.util.concurrent.atomic.AtomicInteger SESSIONS = new java.util.concurrent.atomic.AtomicInteger();

    private final Path root;
    private final Path instance;
    private final boolean mountedByUs;
    private final List<String> enabled = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();

    private TracefsSession(Path root, Path instance, boolean mountedByUs) {
        this.root = root;
        this.instance = instance;
        this.mountedByUs = mountedByUs;
    }

    /** Mounts tracefs if needed, creates the instance and enables the events it has. */
    public static TracefsSession open(Path root, List<String> events, int bufferKbPerCpu) throws IOException {
        return open(root, events, bufferKbPerCpu, java.util.Map.of());
    }

    /** The same, with a kernel filter expression per event (see {@link EventFilters}). */
    public static TracefsSession open(Path root, List<String> events, int bufferKbPerCpu, java.util.Map<String, String> filters)
            throws IOException {
        boolean mounted = false;
        if (!Files.isDirectory(root.resolve("instances"))) {
            run("mount", "-t", "tracefs", "nodev", root.toString());
            mounted = true;
        }
        // a second session in the same process (a test comparing readers) gets an instance of its own
        int n = SESSIONS.getAndIncrement();
        Path instance = root.resolve("instances").resolve("faultline-" + ProcessHandle.current().pid() + (n == 0 ? "" : "-" + n));
        try {
            Files.createDirectory(instance);
        } catch (IOException e) {
            throw new IOException("cannot create tracefs instance " + instance + " (root and tracefs needed): " + e.getMessage(), e);
        }
        TracefsSession s = new TracefsSession(root, instance, mounted);
        try {
            s.write("buffer_size_kb", Integer.toString(bufferKbPerCpu));
            s.write("options/record-tgid", "1");
            // Full buffer: drop the new events rather than overwrite unread ones. Overwriting reports the same
            // loss twice (the reader's "LOST n EVENTS" and the "overrun" counter); dropping only once ("dropped events").
            s.write("options/overwrite", "0");
            // CLOCK_MONOTONIC, the BPF helper's clock (nsecs), so the two streams merge in time order
            s.write("trace_clock", "mono");
            for (String ev : events) {
                Path enable = instance.resolve("events").resolve(ev).resolve("enable");
                if (Files.exists(enable)) {
                    String filter = filters.get(ev);
                    if (filter != null) {
                        try {
                            Files.writeString(enable.resolveSibling("filter"), filter);
                        } catch (IOException e) {
                            throw new IOException("the kernel refuses filter '" + filter + "' on " + ev + ": " + e.getMessage(), e);
                        }
                    }
                    Files.writeString(enable, "1");
                    s.enabled.add(ev);
                } else {
                    s.missing.add(ev);
                }
            }
            s.write("tracing_on", "1");
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        if (!s.missing.isEmpty()) {
            LOG.warn("this kernel has no tracepoint for {}: those events will not be seen", s.missing);
        }
        return s;
    }

    public Path tracePipe() {
        return instance.resolve("trace_pipe");
    }

    /** The tracefs mount: its saved_tgids and saved_cmdlines are global, not per instance. */
    public Path root() {
        return root;
    }

    /** The instance's directory (per_cpu/, events/, ...). */
    public Path instance() {
        return instance;
    }

    /** An enabled event's format file (field offsets and print format), as system/event. */
    public Path formatFile(String event) {
        return instance.resolve("events").resolve(event).resolve("format");
    }

    /** Per-CPU statistics files (overrun, dropped events). */
    public Path cpuStats(int cpu) {
        return instance.resolve("per_cpu").resolve("cpu" + cpu).resolve("stats");
    }

    public List<String> enabled() {
        return enabled;
    }

    public List<String> missing() {
        return missing;
    }

    /** Writes a line into this instance's trace (it comes out of trace_pipe as tracing_mark_write). */
    public void mark(String text) throws IOException {
        write("trace_marker", text);
    }

    private void write(String file, String value) throws IOException {
        Files.writeString(instance.resolve(file), value);
    }

    @Override
    public void close() {
        try {
            if (Files.isDirectory(instance)) {
                write("tracing_on", "0");
                for (String ev : enabled) {
                    Files.writeString(instance.resolve("events").resolve(ev).resolve("enable"), "0");
                }
                removeInstance();
            }
        } catch (IOException e) {
            LOG.error("could not remove tracefs instance {}: {} (remove it with rmdir)", instance, e.getMessage());
        }
        if (mountedByUs) {
            try {
                run("umount", root.toString());
            } catch (IOException e) {
                LOG.error("could not unmount {}: {}", root, e.getMessage());
            }
        }
    }

    /** rmdir, retried briefly: the kernel refuses (EBUSY) while a just-closed reader's file is still being released. */
    private void removeInstance() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.delete(instance);
                return;
            } catch (IOException e) {
                if (attempt == 20) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
