package dev.faultline.collector.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.source.SourceThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The collector's tracing leaves tracefs as it found it. Needs root and tracefs. */
class TracefsSessionTest {

    /** Every global setting a collector could touch, read as text. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> s = new TreeMap<>();
        for (String f : new String[] {"tracing_on", "current_tracer", "buffer_size_kb", "trace_clock", "set_event",
            "set_event_pid", "tracing_cpumask", "set_ftrace_filter"}) {
            s.put(f, read(root.resolve(f)));
        }
        try (Stream<Path> options = Files.list(root.resolve("options"))) {
            for (Path o : options.toList()) {
                s.put("options/" + o.getFileName(), read(o));
            }
        }
        try (Stream<Path> instances = Files.list(root.resolve("instances"))) {
            s.put("instances", instances.map(p -> p.getFileName().toString()).sorted().toList().toString());
        }
        for (String ev : TracefsSession.STANDARD_EVENTS) {
            for (String f : new String[] {"enable", "filter"}) {
                s.put(ev + "/" + f, read(root.resolve("events").resolve(ev).resolve(f)));
            }
        }
        return s;
    }

    /** Some tracefs files refuse reads on some kernels (EINVAL): note that instead of failing. */
    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    @Test
    void tracefsAfterEqualsBefore() throws Exception {
        KernelFeatures.requireRootAndTracefs();
        Path root = KernelFeatures.TRACEFS;
        Map<String, String> before = snapshot(root);
        try (TracefsSession s = TracefsSession.open(root, TracefsSession.STANDARD_EVENTS, 1024)) {
            assertThat(s.enabled()).contains("kvm/kvm_mmio", "syscalls/sys_enter_ioctl");
            assertThat(Files.readString(s.tracePipe().resolveSibling("tracing_on")).strip()).isEqualTo("1");
            assertThat(snapshot(root).get("instances")).as("our instance exists while tracing")
                    .isNotEqualTo(before.get("instances"));
        }
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void stopEndsTheReaderAndCleansUp() throws Exception {
        KernelFeatures.requireRootAndTracefs();
        Map<String, String> before = snapshot(KernelFeatures.TRACEFS);
        TracefsTextSource source = new TracefsTextSource(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 1024);
        Thread reader = SourceThread.start(source, line -> { });
        assertThat(source.awaitStarted(10_000)).isTrue();
        source.stop();
        reader.join(10_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(snapshot(KernelFeatures.TRACEFS)).isEqualTo(before);
    }
}
