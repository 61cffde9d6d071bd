package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink behind a bounded queue and its own worker: the filter (minimum priority, rules) is
 * applied on offer, delivery is retried with exponential backoff, and nothing ever waits on the
 * sink: when the queue is full an alert is dropped and counted, so a down sink cannot slow or
 * stop the analyser. Each offer says when the channel is done with the alert (delivered, filtered,
 * dropped or given up, each counted): the router commits its offsets only past alerts every channel
 * is done with, so an alert still queued when the analyser dies is read and sent again.
 */
public final class SinkChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkChannel.class);

    /** Retry policy: attempts in all, first wait, longest wait. */
    public record Retry(int attempts, long initialBackoffMs, long maxBackoffMs) {
        public static final Retry DEFAULT = new Retry(8, 200, 30_000);
    }

    /** What a channel did, for metrics and the status endpoint. */
    public record Stats(String name, String kind, long accepted, long filtered, long delivered, long failedAttempts,
                        long droppedFull, long droppedGaveUp, int queued, String lastError) {
    }

    private final String name;
    private final AlertSink sink;
    private final Priority minPriority;
    private final Set<String> rules;
    private final Retry retry;
    private final BlockingQueue<Pending> queue;
    private final Thread worker;
    private volatile boolean running = true;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong droppedFull = new AtomicLong();
    private final AtomicLong droppedGaveUp = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    public SinkChannel(String name, AlertSink sink, Priority minPriority, Set<String> rules, int capacity, Retry retry) {
        this.name = name;
        this.sink = sink;
        this.minPriority = minPriority;
        this.rules = rules;
        this.retry = retry;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::work, "faultline-sink-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    private record Pending(Alert alert, Runnable done) {
    }

    /** Never blocks. */
    public void offer(Alert a) {
        offer(a, () -> { });
    }

    /** Never blocks; {@code done} runs once the channel is done with the alert, whatever became of it. */
    public void offer(Alert a, Runnable done) {
        if (a.getPriority().ordinal() < minPriority.ordinal() || (!rules.isEmpty() && !rules.contains(a.getRule()))) {
            filtered.incrementAndGet();
            done.run();
            return;
        }
        if (queue.offer(new Pending(a, done))) {
            accepted.incrementAndGet();
        } else {
            droppedFull.incrementAndGet();
            done.run();
        }
    }

    private void work() {
        while (running) {
            Pending p;
            try {
                p = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (p != null && deliverWithRetry(p.alert())) {
                p.done().run();
            }
        }
    }

    /** True when the channel is done with {@code a} (delivered or given up); false when it was closed first. */
    private boolean deliverWithRetry(Alert a) {
        long backoff = retry.initialBackoffMs();
        for (int attempt = 1; running; attempt++) {
            try {
                sink.deliver(a);
                delivered.incrementAndGet();
                return true;
            } catch (Exception e) {
                failedAttempts.incrementAndGet();
                lastError.set(e.getMessage());
                if (attempt >= retry.attempts()) {
                    droppedGaveUp.incrementAndGet();
                    LOG.warn("sink {}: giving up on alert {} after {} attempts: {}", name, a.getAlertId(), attempt, e.getMessage());
                    return true;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return false;
                }
                backoff = Math.min(backoff * 2, retry.maxBackoffMs());
            }
        }
        return false;
    }

    public Stats stats() {
        return new Stats(name, sink.kind(), accepted.get(), filtered.get(), delivered.get(), failedAttempts.get(),
                droppedFull.get(), droppedGaveUp.get(), queue.size(), lastError.get());
    }

    /**
     * Stops the worker; what is still queued is not delivered (counted in stats().queued) and not done:
     * the router does not commit past it, so the next analyser sends it.
     */
    @Override
    public void close() {
        running = false;
        worker.interrupt();
    }
}
