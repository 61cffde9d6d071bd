package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.events.Event;
import dev.faultline.events.EventSource;
import dev.faultline.events.Mmio;
import dev.faultline.events.Pio;
import dev.faultline.events.VmCreated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace.dat recorded by trace-cmd of a real KVM workload, and the same run read live: the same events. Two
 * tracefs instances with the collector's events and filters trace the workload at once; the live raw reader
 * reads one, {@code trace-cmd extract} saves the other (version 7, zstd), and {@code trace-cmd convert} makes
 * version 6 and uncompressed copies; each file, and a gzip of one through stdin's path, replays to the events the
 * live reader produced for the workload's VM (times, threads, CPUs, bodies). Needs root, tracefs, /dev/kvm, gcc
 * and trace-cmd (docs/design.md §5: trace-cmd record cannot run on these VMs, extract from an instance can).
 */
class TraceDatIT {

    @Test
    void aTraceDatAndTheSameRunReadLiveGiveTheSameEvents(@TempDir Path tmp) throws Exception {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/trace-cmd")), "trace-cmd (apt-get install trace-cmd)");
        Path workload = LiveCollector.workload(tmp);
        Map<String, String> filters = EventFilters.of(TracefsSession.STANDARD_EVENTS, null, EventFilters.anonInodeDev());

        List<Event> live = Collections.synchronizedList(new ArrayList<>());
        TracePipeline livePipeline = pipeline(live, EventSource.TRACEFS_RAW);
        KernelTraceSource reader = TracefsReader.RAW.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 4096, filters);
        Thread liveThread = new Thread(() -> {
            try {
                reader.runBytes(livePipeline);
                livePipeline.finish();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-raw");
        long pid;
        Path dat = tmp.resolve("run.dat");
        Path text = tmp.resolve("run-trace.txt");
        try (TracefsSession recorded = TracefsSession.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 4096, filters)) {
            liveThread.start();
            assertThat(reader.awaitStarted(10_000)).as("live tracing started").isTrue();
            Process w = new ProcessBuilder(workload.toString(), "20").redirectErrorStream(true).start();
            pid = w.pid();
            String out = new String(w.getInputStream().readAllBytes());
            assertThat(w.waitFor()).as(out).isZero();
            Thread.sleep(500);
            reader.stop();
            liveThread.join(60_000);
            assertThat(liveThread.isAlive()).as("the live reader stopped").isFalse();
            // the kernel's own text of the ring buffer trace-cmd then extracts (the trace file does not consume it),
            // without thread group ids, which a trace.dat does not hold either
            Files.writeString(recorded.instance().resolve("options/record-tgid"), "0");
            Files.copy(recorded.instance().resolve("trace"), text);
            run(tmp, "trace-cmd", "extract", "-B", recorded.instance().getFileName().toString(), "-o", dat.toString());
        }
        Path v6 = tmp.resolve("run-v6.dat");
        Path plain = tmp.resolve("run-none.dat");
        run(tmp, "trace-cmd", "convert", "-i", dat.toString(), "-o", v6.toString(), "--file-version", "6", "--compression", "none");
        run(tmp, "trace-cmd", "convert", "-i", dat.toString(), "-o", plain.toString(), "--compression", "none");
        Path gz = tmp.resolve("run-v6.dat.gz");
        run(tmp, "sh", "-c", "gzip -c " + v6 + " > " + gz);

        assertThat(live.stream().filter(e -> e.getHeader().getTgid() != null && e.getHeader().getTgid() == pid)
                .map(Event::getBody)).hasAtLeastOneElementOfType(VmCreated.class).hasAtLeastOneElementOfType(Pio.class)
                .hasAtLeastOneElementOfType(Mmio.class);
        // the same ring buffer as the kernel printed it: the same events, to the microsecond the text has
        List<String> expected = of(replay(text), pid, true);
        assertThat(expected).as("the trace file holds the workload's VM").isNotEmpty();
        List<String> liveEvents = of(live, pid, false);
        for (Path file : List.of(dat, v6, plain, gz)) {
            List<Event> replayed = replay(file);
            assertThat(of(replayed, pid, true)).as("%s against the kernel's text of its buffer", file.getFileName())
                    .isEqualTo(expected);
            // the live reader read another instance: each event there has its own time stamp, microseconds apart;
            // and it knows thread groups, so it sees the VM destroyed when KVM's own thread in the VMM's group
            // (kvm-nx-lpage-recovery, 6.13+) exits last: without thread groups that exit is another process's
            assertThat(of(replayed, pid, false)).as("%s against the live reader", file.getFileName())
                    .isEqualTo(liveEvents.stream().filter(l -> !l.contains("\"reason\": \"process ")).toList());
            assertThat(maxTimeApartNs(replayed, live, pid)).as("%s: times against the live reader", file.getFileName())
                    .isLessThan(1_000_000L);
        }
        System.out.printf("TraceDatIT: %d events of the workload's VM, the same from the kernel's text of the buffer, from "
                + "trace.dat v7 (zstd), v6, v7 uncompressed and a gzipped v6, and live%n", expected.size());
    }

    private static List<Event> replay(Path file) throws Exception {
        List<Event> replayed = new ArrayList<>();
        TracePipeline p = pipeline(replayed, EventSource.REPLAY);
        new ReplaySource(file.toString()).runBytes(p);
        p.finish();
        return replayed;
    }

    /**
     * The events of the workload's process, without what depends on the reading (sequence, wall clock, source, the
     * creation time in a VM id); times to the microsecond ({@code exactToMicros}), else without times.
     */
    private static List<String> of(List<Event> events, long pid, boolean exactToMicros) {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (Event e : events) {
                if (e.getHeader().getTgid() != null && e.getHeader().getTgid() == pid) {
                    String t = e.toString().replaceAll("\"seq\": \\d+", "\"seq\": 0")
                            .replaceAll("\"wall_ts_ms\": \\d+", "\"wall_ts_ms\": 0")
                            .replaceAll("\"source\": \"\\w+\"", "\"source\": \"-\"");
                    long ts = e.getHeader().getKernelTsNs();
                    // the kernel's text rounds to the microsecond (ns2usecs); a VM id's time is the text's
                    t = t.replace("\"kernel_ts_ns\": " + ts, "\"kernel_ts_ns\": " + (exactToMicros ? (ts + 500) / 1000 * 1000 : 0));
                    t = t.replaceAll("(\"vm\": \"[^@\"]*)@[^\"]*\"", "$1\"");
                    // the live reader names a thread from /proc, refreshed each second: a workload shorter than that
                    // keeps the name it had before exec (jspawnhelper); the kernel's text and trace.dat have its own
                    out.add(exactToMicros ? t : t.replaceAll("\"comm\": \"[^\"]*\"", "\"comm\": \"-\""));
                }
            }
        }
        return out;
    }

    /** The largest difference in time between the n-th events of the workload in two readings. */
    private static long maxTimeApartNs(List<Event> a, List<Event> b, long pid) {
        List<Long> ta = times(a, pid);
        List<Long> tb = times(b, pid);
        long max = 0;
        for (int i = 0; i < Math.min(ta.size(), tb.size()); i++) {
            max = Math.max(max, Math.abs(ta.get(i) - tb.get(i)));
        }
        return max;
    }

    private static List<Long> times(List<Event> events, long pid) {
        synchronized (events) {
            return events.stream().filter(e -> e.getHeader().getTgid() != null && e.getHeader().getTgid() == pid)
                    .map(e -> e.getHeader().getKernelTsNs()).toList();
        }
    }

    private static TracePipeline pipeline(List<Event> into, EventSource source) {
        return new TracePipeline(new HostContext("dat", source, Clock.systemUTC(), 47, 1), new EventSink() {
            @Override
            public void accept(Event e) {
                into.add(e);
            }
        }, new CollectorStats());
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s:%n%s", String.join(" ", cmd), out).isZero();
    }
}
