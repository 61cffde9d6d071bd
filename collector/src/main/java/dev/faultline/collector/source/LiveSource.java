package dev.faultline.collector.source;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.collector.text.TraceTimes;
import dev.faultline.collector.source.bpf.BpfHelper;
import dev.faultline.collector.source.ring.RingLoss;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final Object END = new Object();
    private static final int MAX_TAKE = 8192;

    private final KernelTraceSource tracefs;
    private final BpfHelper helper;
    private final long windowNanos;

    /** What goes out, in time order: a line's bytes, a ring record or a ring loss ({@link ByteLines#handOn}). */
    private record Item(long ts, long order, Object item) {
    }

    /** The start of a line too long to read whole, handed on as such (the pipeline counts it). */
    private record Overlong(byte[] start) {
    }

    /** What a stream handed over: a line, the start of an overlong one, or from the raw reader a {@link RingRecord} or {@link RingLoss}. */
    private record Queued(boolean fromTracefs, Object item) {
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
            boolean fromTracefs = s == tracefs;
            ByteLines enqueue = new ByteLines() {
                @Override
                public void line(byte[] b, int from, int to) {
                    queue.add(new Queued(fromTracefs, Arrays.copyOfRange(b, from, to)));
                }

                @Override
                public void record(RingRecord r) {
                    queue.add(new Queued(fromTracefs, r));
                }

                @Override
                public void lost(int cpu, long count) {
                    queue.add(new Queued(fromTracefs, new RingLoss(cpu, count)));
                }

                @Override
                public void overlong(byte[] b, int from, int to) {
                    queue.add(new Queued(fromTracefs, new Overlong(Arrays.copyOfRange(b, from, to))));
                }
            };
            Thread t = new Thread(() -> {
                try {
                    s.runBytes(enqueue);
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
                    if (q.item() == END) {
                        tracefsEnded |= q.fromTracefs();
                        helperEnded |= !q.fromTracefs();
                        continue;
                    }
                    long ts = timestampNs(q.item());
                    lastTs = ts >= 0 ? ts : lastTs; // a loss stays where it came
                    lastTaken[q.fromTracefs() ? 0 : 1] = lastTs;
                    heap.add(new Item(lastTs, order++, q.item()));
                }
                long through = Math.min(tracefsThrough, helperEnded ? Long.MAX_VALUE : System.nanoTime() - windowNanos);
                if (taken == MAX_TAKE) { // a stream's lines left in the queue are no older than its last one taken
                    through = Math.min(through, Math.min(lastTaken[0], lastTaken[1]));
                }
                while (!heap.isEmpty() && heap.peek().ts <= through) {
                    handOn(lines, heap.poll().item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!heap.isEmpty()) {
            handOn(lines, heap.poll().item);
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
        }
    }

    /** The item's trace time, or -1 for one without (a loss). */
    private static long timestampNs(Object item) {
        if (item instanceof RingRecord r) {
            return r.tsNs();
        }
        byte[] line = item instanceof Overlong o ? o.start() : item instanceof byte[] b ? b : null;
        return line == null ? -1 : TraceTimes.timestampNs(line, 0, line.length);
    }

    private static void handOn(ByteLines out, Object item) {
        if (item instanceof Overlong o) {
            out.overlong(o.start(), 0, o.start().length);
        } else {
            ByteLines.handOn(out, item);
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
