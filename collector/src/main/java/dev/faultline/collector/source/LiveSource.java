package dev.faultline.collector.source;

import dev.faultline.collector.parse.LineParser;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Live capture: the tracefs stream, and the BPF helper's stream when it runs, merged in timestamp
 * order (both on CLOCK_MONOTONIC). Lines wait {@code windowMs} for a stream that is behind, so the
 * helper's line of an ioctl lands beside the plain enter/exit lines of the same call.
 */
public final class LiveSource implements LineSource {
    private static final String END = "\u0000end";

    private final KernelTraceSource tracefs;
    private final BpfHelper helper;
    private final long windowNanos;

    private record Item(long ts, long order, long arrived, String line) {
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
        if (helper == null) {
            tracefs.run(lines);
            return;
        }
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        List<Thread> producers = new ArrayList<>();
        List<IOException> failures = new ArrayList<>();
        for (LineSource s : List.of(tracefs, (LineSource) helper)) {
            Thread t = new Thread(() -> {
                try {
                    s.run(queue::add);
                } catch (IOException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    queue.add(END);
                }
            }, "faultline-live-" + (s == tracefs ? "tracefs" : "bpf"));
            t.start();
            producers.add(t);
        }
        PriorityQueue<Item> heap = new PriorityQueue<>((a, b) -> a.ts != b.ts ? Long.compare(a.ts, b.ts) : Long.compare(a.order, b.order));
        int ended = 0;
        long order = 0;
        long lastTs = 0;
        try {
            while (ended < producers.size()) {
                String line = queue.poll(10, TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                if (line == END) {
                    ended++;
                } else if (line != null) {
                    long ts = LineParser.timestampNs(line);
                    lastTs = ts >= 0 ? ts : lastTs; // a loss line stays where it came
                    heap.add(new Item(lastTs, order++, now, line));
                }
                while (!heap.isEmpty() && now - heap.peek().arrived >= windowNanos) {
                    lines.accept(heap.poll().line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!heap.isEmpty()) {
            lines.accept(heap.poll().line);
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
