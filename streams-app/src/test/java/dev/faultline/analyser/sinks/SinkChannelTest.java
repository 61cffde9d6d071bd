package dev.faultline.analyser.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A unit test of one class: the sink here is a fake. The real sinks are tested against real receivers. */
class SinkChannelTest {

    static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(done.getAsBoolean()).isTrue();
    }

    @Test
    void filtersByPriorityAndRule() throws Exception {
        List<Alert> got = new CopyOnWriteArrayList<>();
        try (SinkChannel ch = new SinkChannel("t", sink(got::add), Priority.ERROR, Set.of("r1"), 10,
                new SinkChannel.Retry(1, 1, 1))) {
            ch.offer(TestAlerts.alert("a", "r1", Priority.CRITICAL));
            ch.offer(TestAlerts.alert("b", "r1", Priority.WARNING));
            ch.offer(TestAlerts.alert("c", "r2", Priority.CRITICAL));
            await(() -> ch.stats().delivered() == 1);
            assertThat(got).extracting(Alert::getAlertId).containsExactly("a");
            assertThat(ch.stats().filtered()).isEqualTo(2);
        }
    }

    @Test
    void retriesWithBackoffUntilTheSinkComesBack() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Long> times = new CopyOnWriteArrayList<>();
        try (SinkChannel ch = new SinkChannel("t", sink(a -> {
            times.add(System.nanoTime());
            if (calls.incrementAndGet() < 4) {
                throw new IOException("HTTP 503");
            }
        }), Priority.DEBUG, Set.of(), 10, new SinkChannel.Retry(8, 20, 1000))) {
            ch.offer(TestAlerts.alert("a", "r", Priority.ERROR));
            await(() -> ch.stats().delivered() == 1);
            assertThat(ch.stats().failedAttempts()).isEqualTo(3);
            assertThat(ch.stats().lastError()).isEqualTo("HTTP 503");
            // waits of 20, 40, 80 ms: each longer than the one before
            long w1 = times.get(1) - times.get(0);
            long w3 = times.get(3) - times.get(2);
            assertThat(w3).isGreaterThan(w1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(w1)).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void givesUpAfterItsAttemptsAndCountsIt() throws Exception {
        try (SinkChannel ch = new SinkChannel("t", sink(a -> {
            throw new IOException("connection refused");
        }), Priority.DEBUG, Set.of(), 10, new SinkChannel.Retry(3, 1, 1))) {
            ch.offer(TestAlerts.alert("a", "r", Priority.ERROR));
            await(() -> ch.stats().droppedGaveUp() == 1);
            assertThat(ch.stats().failedAttempts()).isEqualTo(3);
        }
    }

    @Test
    void aStuckSinkNeverBlocksTheOfferer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SinkChannel ch = new SinkChannel("t", sink(a -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), Priority.DEBUG, Set.of(), 5, SinkChannel.Retry.DEFAULT)) {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                ch.offer(TestAlerts.alert("a" + i, "r", Priority.ERROR));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMs).as("1000 offers to a stuck sink").isLessThan(2000);
            // one in the worker's hands, five queued, the rest dropped and counted
            assertThat(ch.stats().droppedFull()).isBetween(994L, 995L);
            release.countDown();
        }
    }

    interface Deliver {
        void accept(Alert a) throws IOException;
    }

    static AlertSink sink(Deliver d) {
        return new AlertSink() {
            @Override
            public String kind() {
                return "fake";
            }

            @Override
            public void deliver(Alert alert) throws IOException {
                d.accept(alert);
            }
        };
    }
}
