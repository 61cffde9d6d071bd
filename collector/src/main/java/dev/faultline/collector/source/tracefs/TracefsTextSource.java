package dev.faultline.collector.source.tracefs;

import dev.faultline.collector.loss.LossSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture from the kernel through the text trace_pipe of a tracefs instance of our own. A read
 * of trace_pipe blocks until the kernel writes, so stopping writes a unique line into the instance's
 * trace and the reader ends when it sees it; the instance is then removed. The line is written again
 * each second until it is read (the kernel refuses a marker on a full buffer), and after
 * {@link #STOP_GIVE_UP_MILLIS} the blocked read is interrupted, so a stop always ends {@link #run}.
 */
public final class TracefsTextSource implements KernelTraceSource {
    private static final Logger LOG = LoggerFactory.getLogger(TracefsTextSource.class);
    private final Path root;
    private final List<String> events;
    private final int bufferKb;
    private final java.util.Map<String, String> filters;
    private final String stopToken = "faultline-stop-" + UUID.randomUUID();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch readEnded = new CountDownLatch(1);
    private volatile Thread reader;
    private boolean reading; // guarded by this: the give-up interrupts only a thread still reading
    private volatile boolean gaveUp;
    long stopGiveUpMillis = STOP_GIVE_UP_MILLIS; // shorter in tests
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
        reader = Thread.currentThread();
        try (TracefsSession s = TracefsSession.open(root, events, bufferKb, filters)) {
            session = s;
            CpuStats stats = new CpuStats(s.tracePipe().getParent());
            stats.report(lossSink, true);
            synchronized (this) {
                reading = true;
            }
            try {
                read(s, lines, stats);
            } catch (ClosedByInterruptException e) {
                if (!gaveUp) {
                    throw e;
                }
                LOG.warn("tracefs text reader: the stop marker was not read within {} ms; stopped without it", stopGiveUpMillis);
            } finally {
                synchronized (this) {
                    reading = false;
                }
                if (gaveUp) {
                    Thread.interrupted(); // ours, from the give-up: the instance must still be removed
                }
                readEnded.countDown();
            }
            stats.report(lossSink, false);
        } finally {
            readEnded.countDown();
            started.countDown();
        }
    }

    private void read(TracefsSession s, Consumer<String> lines, CpuStats stats) throws IOException {
        long nextCheck = System.nanoTime() + 1_000_000_000L;
        // through a FileChannel: an interrupt closes it and ends a blocked read (Files.newBufferedReader's does not)
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(FileChannel.open(s.tracePipe())),
                StandardCharsets.UTF_8))) {
            started.countDown();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.endsWith(stopToken)) {
                    return;
                }
                lines.accept(line);
                if (System.nanoTime() > nextCheck) {
                    stats.report(lossSink, false);
                    nextCheck = System.nanoTime() + 1_000_000_000L;
                }
            }
        }
    }

    @Override
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS) && session != null;
    }

    /** Writes the stop marker, again each second until {@link #run} ends; interrupts the read after the give-up time. */
    @Override
    public void stop() throws IOException {
        TracefsSession s = session;
        if (s == null) {
            return;
        }
        Thread watchdog = new Thread(() -> stopWatch(s), "faultline-tracefs-stop");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void stopWatch(TracefsSession s) {
        long deadline = System.currentTimeMillis() + stopGiveUpMillis;
        try {
            do {
                try {
                    s.mark(stopToken);
                } catch (IOException e) {
                    LOG.warn("tracefs text reader: stop marker refused ({}); trying again", e.getMessage());
                }
            } while (!readEnded.await(1, java.util.concurrent.TimeUnit.SECONDS) && System.currentTimeMillis() < deadline);
            synchronized (this) {
                if (reading) {
                    gaveUp = true;
                    reader.interrupt();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public TracefsSession session() {
        return session;
    }
}
