package dev.faultline.collector.source;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.collector.text.TraceTimes;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Live capture: the tracefs stream, and the BPF helper's stream when it runs, merged in timestamp
 * order (both on CLOCK_MONOTONIC, as System.nanoTime is), so the helper's line of an ioctl lands beside
 * the plain enter/exit lines of the same call. A line goes out once both streams are past its time:
 * the tracefs source says how far it has handed over where it can (the raw reader); otherwise, and
 * for the helper, a stream is taken to be {@code windowMs} behind the clock at most.
 */
public final class LiveSource implements LineSource {
    private static final String END = "\u0000end";
    private static final int MAX_TAKE = 8192;

    private final KernelTraceSource tracefs;
    private final BpfHelper helper;
    private final long windowNanos;

    private record Item(long ts, long order, byte[] line) {
    }

    /** A line as a stream handed it over. */
    private record Queued(boolean fromTracefs, String line) {
    }

    public LiveSource(KernelTraceSource tracefs, BpfHelper helper, long windowMs) {
        this.tracefs = tracefs;
        this.helper = helper;
        this.windowNanos = windowMs * 1_000_000L;
    }

    @Override
    public void reportLossTo(LossSink sink) {
        tracefs.reportLossTo(sink);
    }

    @Override
    public void run(Consumer<String> lines) throws IOException {
        runBytes(ByteLines.decoding(lines));
    }

    @Override
    public void runBytes(ByteLines lines) throws IOException {
        if (helper == null) {
            tracefs.runBytes(lines);
            return;
        }
        BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
        List<Thread> producers = new ArrayList<>();
        List<IOException> failures = new ArrayList<>();
        for (LineSource s : List.of(tracefs, (LineSource) helper)) {
            Thread t = new Thread(() -> {
                try {
                    s.run(line -> queue.add(new Queued(s == tracefs, line)));
                } catch (IOException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    queue.add(new Queued(s == tracefs, END));
                }
            }, "faultline-live-" + (s == tracefs ? "tracefs" : "bpf"));
            t.start();
            producers.add(t);
        }
        PriorityQueue<Item> heap = new PriorityQueue<>((a, b) -> a.ts != b.ts ? Long.compare(a.ts, b.ts) : Long.compare(a.order, b.order));
        boolean tracefsEnded = false;
        boolean helperEnded = false;
        long order = 0;
        long lastTs = 0;
        try {
            while (!(tracefsEnded && helperEnded)) {
                // asked before taking lines: every tracefs line it covers is in the queue by then
                long tracefsThrough = tracefsEnded ? Long.MAX_VALUE : tracefs.handedOverThrough(System.nanoTime() - windowNanos);
                Queued q = queue.poll(10, TimeUnit.MILLISECONDS);
                // a bounded take, so lines keep going out while the streams outpace us
                int taken = 0;
                long[] lastTaken = {Long.MAX_VALUE, Long.MAX_VALUE}; // per stream (tracefs, helper), in this take
                for (; q != null && taken < MAX_TAKE; q = ++taken < MAX_TAKE ? queue.poll() : null) {
                    if (q.line() == END) {
                        tracefsEnded |= q.fromTracefs();
                        helperEnded |= !q.fromTracefs();
                        continue;
                    }
                    byte[] line = q.line().getBytes(StandardCharsets.UTF_8); // once: the parser reads bytes
                    long ts = TraceTimes.timestampNs(line, 0, line.length);
                    lastTs = ts >= 0 ? ts : lastTs; // a loss line stays where it came
                    lastTaken[q.fromTracefs() ? 0 : 1] = lastTs;
                    heap.add(new Item(lastTs, order++, line));
                }
                long through = Math.min(tracefsThrough, helperEnded ? Long.MAX_VALUE : System.nanoTime() - windowNanos);
                if (taken == MAX_TAKE) { // a stream's lines left in the queue are no older than its last one taken
                    through = Math.min(through, Math.min(lastTaken[0], lastTaken[1]));
                }
                while (!heap.isEmpty() && heap.peek().ts <= through) {
                    byte[] line = heap.poll().line;
                    lines.line(line, 0, line.length);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!heap.isEmpty()) {
            byte[] line = heap.poll().line;
            lines.line(line, 0, line.length);
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
        }
    }

    public boolean awaitStarted(long millis) throws InterruptedException {
        return tracefs.awaitStarted(millis) && (helper == null || helper.awaitAttached(millis));
    }

    /** Stops the helper first (its last lines come out), then tracefs. */
    public void stop() throws IOException {
        if (helper != null) {
            helper.stop();
        }
        tracefs.stop();
    }
}
