package dev.faultline.collector.source.tracefs;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Live capture from the kernel through the text trace_pipe of a tracefs instance of our own. A read
 * of trace_pipe blocks until the kernel writes, so stopping writes a unique line into the instance's
 * trace and the reader ends when it sees it; the instance is then removed.
 */
public final class TracefsTextSource implements KernelTraceSource {
    private final Path root;
    private final List<String> events;
    private final int bufferKb;
    private final java.util.Map<String, String> filters;
    private final String stopToken = "faultline-stop-" + UUID.randomUUID();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile TracefsSession session;
    private LossSink lossSink = (cpu, count, reason) -> { };

    /** Ring-buffer overruns and drops go to the pipeline's TraceLoss. */
    @Override
    public void reportLossTo(LossSink sink) {
        this.lossSink = sink;
    }

    public TracefsTextSource(Path root, List<String> events, int bufferKb) {
        this(root, events, bufferKb, java.util.Map.of());
    }

    public TracefsTextSource(Path root, List<String> events, int bufferKb, java.util.Map<String, String> filters) {
        this.root = root;
        this.events = events;
        this.bufferKb = bufferKb;
        this.filters = filters;
    }

    @Override
    public void run(Consumer<String> lines) throws IOException {
        try (TracefsSession s = TracefsSession.open(root, events, bufferKb, filters)) {
            session = s;
            CpuStats stats = new CpuStats(s.tracePipe().getParent());
            stats.report(lossSink, true);
            long nextCheck = System.nanoTime() + 1_000_000_000L;
            try (BufferedReader r = Files.newBufferedReader(s.tracePipe(), StandardCharsets.UTF_8)) {
                started.countDown();
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.endsWith(stopToken)) {
                        break;
                    }
                    lines.accept(line);
                    if (System.nanoTime() > nextCheck) {
                        stats.report(lossSink, false);
                        nextCheck = System.nanoTime() + 1_000_000_000L;
                    }
                }
            }
            stats.report(lossSink, false);
        } finally {
            started.countDown();
        }
    }

    @Override
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS) && session != null;
    }

    @Override
    public void stop() throws IOException {
        TracefsSession s = session;
        if (s != null) {
            s.mark(stopToken);
        }
    }

    public TracefsSession session() {
        return session;
    }
}
