package dev.faultline.collector.source.tracedat;

import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.ring.EventFormat;
import dev.faultline.collector.source.ring.RecordReader;
import dev.faultline.collector.source.ring.RingLoss;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.source.ring.RingPage;
import dev.faultline.collector.source.ring.ThreadNames;
import dev.faultline.collector.source.tracefs.TracefsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trace.dat replayed: every buffer's CPUs read page by page with the format files stored in the file, each
 * record read as the live raw reader reads it (the same {@link RingPage} and {@link RecordReader}) and handed
 * over as a {@link RingRecord}, merged across CPUs in time order. A page flagged as following lost events gives
 * a loss before its events. Thread names come from the file's saved_cmdlines; trace-cmd stores no thread group
 * ids, so records carry none (as in trace-cmd report's text).
 */
public final class TraceDatSource implements LineSource {
    private static final Logger LOG = LoggerFactory.getLogger(TraceDatSource.class);
    /** Events the collector reads that a live session does not enable (replayed traces may hold them). */
    private static final List<String> REPLAYED_TOO = List.of("kvm/kvm_entry", "kvm/kvm_nested_vmexit",
            "kvm/kvm_emulate_insn", "kvm/kvm_vmgexit_exit", "kvmmmu/kvm_mmu_spte_requested");
    static final Set<String> READ = Stream.concat(TracefsSession.STANDARD_EVENTS.stream(), REPLAYED_TOO.stream())
            .collect(Collectors.toUnmodifiableSet());

    private final Path path;

    public TraceDatSource(Path path) {
        this.path = path;
    }

    @Override
    public void run(Consumer<String> lines) throws IOException {
        runBytes(ByteLines.decoding(lines));
    }

    @Override
    public void runBytes(ByteLines out) throws IOException {
        try (TraceDatFile file = TraceDatFile.open(path)) {
            if (!file.unreadFormats.isEmpty()) {
                LOG.warn("{}: {} event format(s) do not parse, their records are skipped: {}", path,
                        file.unreadFormats.size(), file.unreadFormats.subList(0, Math.min(3, file.unreadFormats.size())));
            }
            List<EventFormat> read = new ArrayList<>();
            Map<Integer, String> others = new HashMap<>();
            for (EventFormat f : file.formats) {
                if (READ.contains(f.system() + "/" + f.name())) {
                    read.add(f);
                } else {
                    others.put(f.id(), f.system() + "/" + f.name());
                }
            }
            EventFormat.Field type = file.formats.isEmpty() ? null : file.formats.get(0).field("common_type");
            RecordReader reader = new RecordReader(read, ThreadNames.fixed(savedNames(file.cmdlines)));
            Map<String, Long> skipped = new TreeMap<>();
            PriorityQueue<CpuCursor> heads = new PriorityQueue<>((a, b) -> Long.compare(a.ts(), b.ts()));
            for (TraceDatFile.Buffer b : file.buffers) {
                for (TraceDatFile.CpuData cpu : b.cpus()) {
                    CpuCursor c = new CpuCursor(file, b, cpu, reader, type, others, skipped);
                    if (c.advance()) {
                        heads.add(c);
                    }
                }
            }
            while (!heads.isEmpty()) {
                CpuCursor c = heads.poll();
                ByteLines.handOn(out, c.take());
                if (c.advance()) {
                    heads.add(c);
                }
            }
            if (!skipped.isEmpty()) {
                LOG.info("{}: records of events faultline does not read, skipped: {}", path, skipped);
            }
        }
    }

    /** saved_cmdlines: a pid's name, no thread group (trace-cmd stores none); pid 0 is {@code <idle>}, as trace_pipe prints it. */
    private static Map<Integer, ThreadNames.Known> savedNames(Map<Integer, String> comms) {
        Map<Integer, ThreadNames.Known> names = new HashMap<>();
        comms.forEach((pid, comm) -> names.put(pid, new ThreadNames.Known(comm, ThreadNames.NO_TGID)));
        names.put(0, new ThreadNames.Known("<idle>", ThreadNames.NO_TGID));
        return names;
    }

    /** One CPU of one buffer: its pages decoded one at a time into records and losses with their times. */
    private static final class CpuCursor {
        private final TraceDatFile file;
        private final TraceDatFile.CpuData cpu;
        private final int pageSize;
        private final RecordReader reader;
        private final EventFormat.Field type;
        private final Map<Integer, String> others;
        private final Map<String, Long> skipped;
        private final List<Object> pageItems = new ArrayList<>();
        private long[] pageTs = new long[64];
        private int next;
        /** Uncompressed: the next page's offset. Compressed: the next chunk's offset, chunks left, the current chunk. */
        private long offset;
        private int chunksLeft;
        private byte[] chunk;
        private int chunkPos;

        CpuCursor(TraceDatFile file, TraceDatFile.Buffer buffer, TraceDatFile.CpuData cpu, RecordReader reader,
                EventFormat.Field type, Map<Integer, String> others, Map<String, Long> skipped) throws IOException {
            this.file = file;
            this.cpu = cpu;
            this.pageSize = buffer.pageSize() > 0 ? buffer.pageSize() : file.pageSize;
            this.reader = reader;
            this.type = type;
            this.others = others;
            this.skipped = skipped;
            this.offset = cpu.offset();
            if (cpu.compressed() && cpu.size() > 0) {
                chunksLeft = ByteBuffer.wrap(file.read(offset, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
                offset += 4;
            }
        }

        long ts() {
            return pageTs[next];
        }

        /** The next item: a {@link RingRecord} or a {@link RingLoss}. */
        Object take() {
            return pageItems.get(next++);
        }

        /** To the next item, reading pages as needed; false at the CPU's end. */
        boolean advance() throws IOException {
            while (true) {
                if (next < pageItems.size()) {
                    return true;
                }
                ByteBuffer page = nextPage();
                if (page == null) {
                    return false;
                }
                decode(page);
            }
        }

        private ByteBuffer nextPage() throws IOException {
            if (!cpu.compressed()) {
                if (offset + RingPage.HEADER > cpu.offset() + cpu.size()) {
                    return null;
                }
                int n = (int) Math.min(pageSize, cpu.offset() + cpu.size() - offset);
                byte[] b = file.read(offset, n);
                offset += pageSize;
                return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            }
            while (chunk == null || chunkPos + RingPage.HEADER > chunk.length) {
                if (chunksLeft-- <= 0) {
                    return null;
                }
                ByteBuffer sizes = ByteBuffer.wrap(file.read(offset, 8)).order(ByteOrder.LITTLE_ENDIAN);
                int packed = sizes.getInt(0);
                int plain = sizes.getInt(4);
                if (packed < 0 || offset + 8 + packed > file.size()) {
                    throw file.bad("cpu " + cpu.cpu() + ": a chunk of " + Integer.toUnsignedString(packed)
                            + " bytes at offset " + offset);
                }
                chunk = file.codec.decompress(file.read(offset + 8, packed), plain, file.path());
                chunkPos = 0;
                offset += 8 + packed;
            }
            ByteBuffer page = ByteBuffer.wrap(chunk, chunkPos, Math.min(pageSize, chunk.length - chunkPos)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            chunkPos += pageSize;
            return page;
        }

        /** A page's records; its loss first. A page that does not decode is reported as lost, never guessed at. */
        private void decode(ByteBuffer page) throws IOException {
            pageItems.clear();
            next = 0;
            long start = file.nanos(page.getLong(0));
            long lost;
            try {
                lost = RingPage.read(page, page.limit(), (t, p, off, len) -> {
                    long ns = file.nanos(t);
                    RingRecord r = reader.read(cpu.cpu(), ns, p, off, len, 0);
                    if (r != null) {
                        add(ns, r);
                    } else if (type != null) {
                        String name = others.getOrDefault((int) type.number(p, off), "id " + type.number(p, off));
                        skipped.merge(name, 1L, Long::sum);
                    }
                });
            } catch (RuntimeException e) {
                LOG.error("{}: cpu {}: a page that does not decode ({}): its events are lost", file.path(), cpu.cpu(),
                        e.getMessage());
                pageItems.clear();
                add(start, new RingLoss(cpu.cpu(), 1));
                return;
            }
            if (lost != RingPage.NONE_LOST) { // before the page's own events, as trace_pipe prints it
                add(start, null);
                System.arraycopy(pageTs, 0, pageTs, 1, pageItems.size() - 1);
                pageTs[0] = start;
                pageItems.remove(pageItems.size() - 1);
                pageItems.add(0, new RingLoss(cpu.cpu(), Math.max(lost, 1))); // a count not stored is at least one
            }
        }

        private void add(long ts, Object item) {
            if (pageItems.size() + 1 >= pageTs.length) {
                pageTs = java.util.Arrays.copyOf(pageTs, pageTs.length * 2);
            }
            pageTs[pageItems.size()] = ts;
            pageItems.add(item);
        }
    }
}
