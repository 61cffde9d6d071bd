package dev.faultline.collector.source.tracefs.raw;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.collector.source.ring.EventFormat;
import dev.faultline.collector.source.ring.RecordReader;
import dev.faultline.collector.source.ring.RingLoss;
import dev.faultline.collector.source.ring.RingPage;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.source.tracefs.CpuStats;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import dev.faultline.collector.source.tracefs.TracefsSession;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture through the binary per-CPU {@code trace_pipe_raw} of our tracefs instance: the kernel
 * hands over ring-buffer pages instead of formatting text, which is what lets a reader keep up with a
 * busy guest (docs/design.md §5). Records are read with the format files read at start ({@link RecordReader},
 * as trace.dat's are), merged across CPUs in time order and handed over as {@link RingRecord}s; pages flagged as
 * following lost events are handed over as loss in their place.
 */
public final class TracefsRawSource implements KernelTraceSource {
    private static final Logger LOG = LoggerFactory.getLogger(TracefsRawSource.class);
    /** A CPU whose reader cannot be ticked holds the others back at most this long. */
    private static final long WINDOW_NANOS = 500_000_000L;
    private static final long TICK_NANOS = 20_000_000L;
    private static final String TICK = "faultline-tick";
    private static final int MAX_TAKE = 64;

    private final Path root;
    private final List<String> events;
    private final int bufferKb;
    private final Map<String, String> filters;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile TracefsSession session;
    private volatile boolean stopping;
    private volatile long handedOver = Long.MIN_VALUE;
    private final String stopToken = "faultline-stop-" + java.util.UUID.randomUUID();
    private volatile List<Integer> cpus = List.of();
    private LossSink lossSink = (cpu, count, reason) -> { };

    /**
     * The records of one page (and a {@link RingLoss} first if it followed lost events), with their times, from one
     * CPU; {@code last} once the CPU's stop marker was in it.
     */
    private record Batch(int slot, long[] ts, Object[] items, int size, long lastRecordTs, boolean last) {
    }

    public TracefsRawSource(Path root, List<String> events, int bufferKb, Map<String, String> filters) {
        this.root = root;
        this.events = events;
        this.bufferKb = bufferKb;
        this.filters = filters;
    }

    @Override
    public void reportLossTo(LossSink sink) {
        this.lossSink = sink;
    }

    @Override
    public void run(Consumer<String> lines) throws IOException {
        runBytes(ByteLines.decoding(lines));
    }

    @Override
    public void runBytes(ByteLines out) throws IOException {
        try (TracefsSession s = TracefsSession.open(root, events, bufferKb, filters)) {
            RecordReader reader = new RecordReader(formats(s), new PidNames(Path.of("/proc"), s.root()));
            int pageSize = subBufferSize(s.instance());
            Path printFormat = s.instance().resolve("events/ftrace/print/format");
            EventFormat marker = EventFormat.parse("ftrace", printFormat.toString(), Files.readString(printFormat));
            cpus = cpus(s.instance());
            CpuStats stats = new CpuStats(s.instance());
            stats.report(lossSink, true);
            BlockingQueue<Batch> queue = new LinkedBlockingQueue<>(4096);
            List<Thread> readers = new ArrayList<>();
            List<IOException> failures = new ArrayList<>();
            for (int slot = 0; slot < cpus.size(); slot++) {
                int cpu = cpus.get(slot);
                int mySlot = slot;
                Path pipe = s.instance().resolve("per_cpu/cpu" + cpu + "/trace_pipe_raw");
                Thread t = new Thread(() -> {
                    try {
                        readCpu(cpu, mySlot, pipe, pageSize, reader, marker, queue);
                    } catch (IOException | RuntimeException e) {
                        // said at once (this CPU is no longer read) and again when run ends, as its failure
                        LOG.error("raw reader: cpu {} stopped: {}", cpu, e.toString());
                        synchronized (failures) {
                            failures.add(new IOException("cpu " + cpu + ": " + e, e));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "faultline-raw-cpu" + cpu);
                t.setDaemon(true);
                readers.add(t);
                t.start();
            }
            session = s;
            started.countDown();
            try (CpuMarkers markers = new CpuMarkers(s.instance().resolve("trace_marker"), cpus)) {
                merge(readers, queue, item -> ByteLines.handOn(out, item), stats, markers);
            }
            stats.report(lossSink, false);
            synchronized (failures) {
                if (!failures.isEmpty()) {
                    throw failures.get(0);
                }
            }
        } finally {
            started.countDown();
        }
    }

    /**
     * Why this reader could not decode an event whose format file is at {@code file} (system/event as
     * {@code event}), or null when it can: the same parse and compile its {@link #run} does.
     */
    public static String decodeProblem(String event, Path file) {
        try {
            return RecordReader.undecodable(EventFormat.parse(event.substring(0, event.indexOf('/')), file.toString(),
                    Files.readString(file)));
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** The enabled events' format files, read from the instance. */
    private static List<EventFormat> formats(TracefsSession s) throws IOException {
        List<EventFormat> out = new ArrayList<>();
        for (String ev : s.enabled()) {
            Path file = s.formatFile(ev);
            out.add(EventFormat.parse(ev.substring(0, ev.indexOf('/')), file.toString(), Files.readString(file)));
        }
        return out;
    }

    private static int subBufferSize(Path instance) throws IOException {
        Path f = instance.resolve("buffer_subbuf_size_kb");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) * 1024 : 4096;
    }

    private static List<Integer> cpus(Path instance) throws IOException {
        try (var s = Files.list(instance.resolve("per_cpu"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("cpu\\d+"))
                    .map(n -> Integer.parseInt(n.substring(3))).sorted().toList();
        }
    }

    /**
     * Reads one CPU's pages until the stop marker written on that CPU comes out: then everything traced
     * on it before the stop has been read. A read returns 0 while the kernel is writing the page, so a 0
     * is retried after a pause.
     */
    private void readCpu(int cpu, int slot, Path pipe, int pageSize, RecordReader reader, EventFormat marker,
            BlockingQueue<Batch> queue) throws IOException, InterruptedException {
        byte[] buf = new byte[pageSize];
        ByteBuffer page = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        try (InputStream in = new FileInputStream(pipe.toFile())) {
            while (true) {
                int n = in.read(buf, 0, pageSize);
                if (n <= 0) {
                    Thread.sleep(1);
                    continue;
                }
                if (n < RingPage.HEADER) {
                    throw new IOException("short read of " + n + " bytes from " + pipe);
                }
                Batch b = decode(cpu, slot, page, n, reader, marker, stopToken);
                queue.put(b);
                if (b.last()) {
                    return;
                }
            }
        }
    }

    private static Batch decode(int cpu, int slot, ByteBuffer page, int n, RecordReader reader, EventFormat marker,
            String stopToken) {
        int max = n / 8 + 1;
        long[] ts = new long[max];
        Object[] items = new Object[max];
        int[] count = {0};
        boolean[] last = {false};
        long[] lastTs = {page.getLong(0)};
        EventFormat.Field type = marker.field("common_type");
        EventFormat.Field text = marker.field("buf");
        long now = System.nanoTime();
        long lost;
        try {
            lost = RingPage.read(page, n, (t, p, off, len) -> {
                lastTs[0] = t;
                if (type.number(p, off) == marker.id()) {
                    last[0] |= text.string(p, off, len).startsWith(stopToken);
                    return;
                }
                RingRecord r = reader.read(cpu, t, p, off, len, now);
                if (r != null) {
                    ts[count[0]] = t;
                    items[count[0]++] = r;
                }
            });
        } catch (RuntimeException e) {
            // a page that does not decode is reported as lost, never guessed at
            LOG.error("raw reader: cpu {}: undecodable page ({}): its events are lost", cpu, e.getMessage());
            return new Batch(slot, new long[] {page.getLong(0)}, new Object[] {new RingLoss(cpu, 1)}, 1,
                    page.getLong(0), false);
        }
        if (lost != RingPage.NONE_LOST) {
            // before the page's own events, as trace_pipe prints it
            System.arraycopy(ts, 0, ts, 1, count[0]);
            System.arraycopy(items, 0, items, 1, count[0]);
            ts[0] = page.getLong(0);
            items[0] = new RingLoss(cpu, Math.max(lost, 1)); // a count the kernel did not store is at least one
            count[0]++;
        }
        return new Batch(slot, ts, items, count[0], lastTs[0], last[0]);
    }

    /**
     * Merges the CPUs' streams into one (see {@link CpuMerge}); a CPU read from for {@link #TICK_NANOS}
     * gets a marker, so a quiet CPU holds the others back no longer than that.
     */
    private void merge(List<Thread> readers, BlockingQueue<Batch> queue, Consumer<Object> out, CpuStats stats,
            CpuMarkers markers) throws IOException {
        CpuMerge<Object> merge = new CpuMerge<>(cpus.size());
        long[] lastTick = new long[cpus.size()];
        Arrays.fill(lastTick, Long.MIN_VALUE / 2);
        long nextStats = System.nanoTime() + 1_000_000_000L;
        long nextStopMark = 0;
        long stopDeadline = Long.MAX_VALUE;
        try {
            while (true) {
                Batch b = queue.poll(5, TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                // a bounded take, so records keep going out while the readers outpace us
                for (int taken = 0; b != null; b = ++taken < MAX_TAKE ? queue.poll() : null) {
                    merge.add(b.slot(), b.ts(), b.items(), b.size(), b.lastRecordTs());
                }
                handedOver = merge.emit(now - WINDOW_NANOS, out);
                for (int slot = 0; slot < lastTick.length && !stopping; slot++) {
                    // a new tick once the last one came back (or a second later): a writer that is slow or stuck
                    // never gets a pipe full of ticks to block us on
                    boolean lastTickRead = merge.settled(slot) >= lastTick[slot] || now - lastTick[slot] >= 1_000_000_000L;
                    if (merge.settled(slot) < now - TICK_NANOS && now - lastTick[slot] >= TICK_NANOS && lastTickRead) {
                        markers.write(slot, TICK);
                        lastTick[slot] = now;
                    }
                }
                if (now > nextStats) {
                    stats.report(lossSink, false);
                    nextStats = now + 1_000_000_000L;
                }
                if (stopping) {
                    if (readers.stream().noneMatch(Thread::isAlive) && queue.isEmpty()) {
                        break;
                    }
                    if (now > nextStopMark) { // again each second until every reader saw its own
                        for (int slot = 0; slot < cpus.size(); slot++) {
                            markers.write(slot, stopToken);
                        }
                        nextStopMark = now + 1_000_000_000L;
                        stopDeadline = Math.min(stopDeadline, now + STOP_GIVE_UP_MILLIS * 1_000_000L);
                    }
                    if (now > stopDeadline) {
                        LOG.warn("raw reader: cpus {} did not read their stop marker in time; stopping without them",
                                readers.stream().filter(Thread::isAlive).map(Thread::getName).toList());
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        merge.flush(out);
        handedOver = Long.MAX_VALUE;
    }

    @Override
    public long handedOverThrough(long fallback) {
        return handedOver;
    }

    @Override
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS) && session != null;
    }

    /**
     * Ends {@link #run} once every CPU has been read up to now: a marker holding the stop token is written
     * on each CPU, and each CPU's reader ends when it reads its own.
     */
    @Override
    public void stop() throws IOException {
        stopping = true;
    }

    public TracefsSession session() {
        return session;
    }
}
