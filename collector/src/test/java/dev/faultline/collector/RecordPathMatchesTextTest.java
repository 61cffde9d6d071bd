package dev.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.source.LineSource.ByteLines;
import dev.faultline.collector.source.ring.EventFormat;
import dev.faultline.collector.source.ring.RecordReader;
import dev.faultline.collector.source.ring.RingLoss;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.source.ring.ThreadNames;
import dev.faultline.events.Event;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate of the one record path: a binary record read from its fields (the live raw reader and trace.dat) gives
 * exactly what the same record printed as trace_pipe's line and parsed as text gives — the same events, in the same
 * order, and the same count of every line's outcome, samples included. Records of every event the parser reads
 * fields of, with seeded random field values (extremes and sign bits among them), from threads with and without a
 * thread group, named as VMMs name them; ioctl and fallocate records that make VMs, vCPUs and failures; losses.
 * For each set of format files: this machine's kernel (6.18) and older kernels' versions
 * (test resources faultline/formats and faultline/formats/old/*).
 */
class RecordPathMatchesTextTest {
    private static final long[] CMDS = {0xae01L, 0xae41L, 0xae80L, 0xc040aed4L, 0x4020aed2L, 0x4020ae46L, 0x1234L};
    private static final Map<Integer, ThreadNames.Known> THREADS = Map.of(
            0, new ThreadNames.Known("<idle>", ThreadNames.NO_TGID),
            100, new ThreadNames.Known("qemu-system-x86", 100),
            101, new ThreadNames.Known("CPU 0/KVM", 100),
            102, new ThreadNames.Known("CPU 1/KVM", 100),
            200, new ThreadNames.Known("vmm-a b", ThreadNames.NO_TGID),
            201, new ThreadNames.Known("<...>", ThreadNames.NO_TGID),
            300, new ThreadNames.Known("kvm-nx-lpage-re", 300));
    private static final int[] PIDS = THREADS.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();

    static Stream<Arguments> formatSets() throws IOException, URISyntaxException {
        Path root = Path.of(RecordPathMatchesTextTest.class.getResource("/faultline/formats").toURI());
        List<Arguments> sets = new ArrayList<>();
        sets.add(Arguments.of("linux-6.18", root));
        Path old = root.resolve("old");
        if (Files.isDirectory(old)) {
            try (Stream<Path> dirs = Files.list(old)) {
                dirs.filter(Files::isDirectory).sorted().forEach(d -> sets.add(Arguments.of(d.getFileName().toString(), d)));
            }
        }
        return sets.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formatSets")
    void recordsReadFromTheirFieldsGiveWhatTheirTextGives(String kernel, Path dir) throws IOException {
        List<EventFormat> formats = formats(dir, Path.of(dir.toString().replaceAll("/old/[^/]+$", "")));
        RecordReader reader = new RecordReader(formats, ThreadNames.fixed(THREADS));
        for (long seed = 1; seed <= 5; seed++) {
            List<Object> items = items(new Random(seed * 7919 + kernel.hashCode()), formats, reader, 4000);
            Replay fields = new Replay();
            Replay text = new Replay();
            ByteLines textOnly = (b, from, to) -> text.pipeline().line(b, from, to); // records and loss printed
            for (Object item : items) {
                ByteLines.handOn(fields.pipeline(), item);
                ByteLines.handOn(textOnly, item);
            }
            fields.finish();
            text.finish();
            assertThat(text.events).as("seed %d: the text path made events", seed).hasSizeGreaterThan(1000);
            List<Event> viaFields = withoutWallTime(fields.events);
            List<Event> viaText = withoutWallTime(text.events);
            for (int i = 0; i < Math.min(viaFields.size(), viaText.size()); i++) {
                assertThat(viaFields.get(i)).as("seed %d, event %d", seed, i).isEqualTo(viaText.get(i));
            }
            assertThat(viaFields).as("seed %d", seed).hasSameSizeAs(viaText);
            assertThat(fields.stats.summary()).as("seed %d", seed).isEqualTo(text.stats.summary());
            assertThat(fields.stats.samples()).as("seed %d", seed).isEqualTo(text.stats.samples());
        }
    }

    /**
     * A record its format cannot read (shorter than its fields: a hostile or cut trace.dat) is counted as a bad
     * payload with its reason, whether read from its fields or printed; a record stamped before the epoch is what
     * its text is (malformed); nothing stops the pipeline, and the next record is read.
     */
    @Test
    void aRecordItsFormatCannotReadIsCountedNotFatal() throws IOException, URISyntaxException {
        Path dir = Path.of(RecordPathMatchesTextTest.class.getResource("/faultline/formats").toURI());
        List<EventFormat> formats = formats(dir, dir);
        RecordReader reader = new RecordReader(formats, ThreadNames.fixed(THREADS));
        Replay fields = new Replay();
        for (String event : List.of("kvm_mmio", "kvm_mmu_set_spte", "kvm_exit")) {
            ByteBuffer b = byName(formats, event).newRecord();
            b.putInt(4, 101);
            fields.pipeline().record(reader.read(1, 2_000_000_000L, b, 0, 12, 0)); // 12 bytes: past common_pid, no more
        }
        ByteBuffer early = byName(formats, "kvm_mmio").newRecord();
        early.putInt(4, 101);
        fields.pipeline().record(reader.read(1, -5, early, 0, early.capacity(), 0));
        ByteBuffer good = byName(formats, "kvm_mmio").newRecord();
        good.putInt(4, 101);
        byName(formats, "kvm_mmio").field("type").put(good, 0, 2);
        fields.pipeline().record(reader.read(1, 3_000_000_000L, good, 0, good.capacity(), 0));
        fields.finish();

        assertThat(fields.stats.skipped()).containsEntry("bad-payload: kvm_mmio", 1L)
                .containsEntry("bad-payload: kvm_mmu_set_spte", 1L).containsEntry("bad-payload: kvm_exit", 1L);
        assertThat(fields.stats.samples().get("bad-payload: kvm_mmu_set_spte")).contains("<unprintable: ");
        assertThat(fields.stats.skipped().keySet()).anyMatch(k -> k.startsWith("malformed"));
        assertThat(fields.bodies(dev.faultline.events.Mmio.class)).as("the next record is read").hasSize(1);
    }

    /** The directory's formats, and the syscall ones of the newest set where an older set has none of its own. */
    private static List<EventFormat> formats(Path dir, Path newest) throws IOException {
        List<EventFormat> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path d : List.of(dir, newest)) {
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".format")).sorted().toList()) {
                    String name = f.getFileName().toString().replace(".format", "");
                    if (names.contains(name) || d != dir && !name.startsWith("sys_")) {
                        continue;
                    }
                    String system = name.startsWith("sys_") ? "syscalls" : name.startsWith("kvm_mmu") || name.startsWith("kvm_tdp")
                            ? "kvmmmu" : name.startsWith("kvm") ? "kvm" : name.startsWith("mm_") ? "filemap" : "sched";
                    EventFormat parsed = EventFormat.parse(system, f.toString(), Files.readString(f));
                    // ids unique across the two directories
                    out.add(new EventFormat(parsed.system(), parsed.name(), 1000 + out.size(), parsed.fields(), parsed.printFmt()));
                    names.add(name);
                }
            }
        }
        return out;
    }

    /** Seeded records: a VM made, vCPUs made and run, then every event at random, ioctls and losses among them. */
    private static List<Object> items(Random rnd, List<EventFormat> formats, RecordReader reader, int n) {
        List<Object> out = new ArrayList<>();
        long[] ts = {1_000_000_000L + rnd.nextInt(1000)};
        EventFormat enter = byName(formats, "sys_enter_ioctl");
        EventFormat exit = byName(formats, "sys_exit_ioctl");
        call(out, reader, enter, exit, ts, 100, 3, 0xae01L, rnd.nextInt(6), 5); // KVM_CREATE_VM -> 5
        call(out, reader, enter, exit, ts, 100, 5, 0xae41L, 0, 7); // KVM_CREATE_VCPU 0 -> 7
        call(out, reader, enter, exit, ts, 101, 7, 0xae80L, 0, 0); // the vCPU thread runs it
        for (int i = 0; i < n; i++) {
            int what = rnd.nextInt(100);
            if (what < 3) {
                out.add(new RingLoss(rnd.nextInt(4), 1 + rnd.nextInt(1000)));
            } else if (what < 12) {
                long ret = rnd.nextInt(5) == 0 ? -rnd.nextInt(40) : rnd.nextInt(20);
                call(out, reader, enter, exit, ts, PIDS[rnd.nextInt(PIDS.length)], rnd.nextInt(12),
                        CMDS[rnd.nextInt(CMDS.length)], rnd.nextInt(4), ret);
            } else {
                EventFormat f = formats.get(rnd.nextInt(formats.size()));
                ByteBuffer b = f.newRecord();
                for (EventFormat.Field field : f.fields().values()) {
                    if (!field.name().startsWith("common_")) {
                        fill(b, field, rnd);
                    }
                }
                add(out, reader, b, PIDS[rnd.nextInt(PIDS.length)], rnd.nextInt(130), ts, rnd);
            }
        }
        return out;
    }

    private static void call(List<Object> out, RecordReader reader, EventFormat enter, EventFormat exit, long[] ts, int pid,
            long fd, long cmd, long arg, long ret) {
        ByteBuffer in = enter.newRecord();
        enter.field("fd").put(in, 0, fd);
        enter.field("cmd").put(in, 0, cmd);
        enter.field("arg").put(in, 0, arg);
        add(out, reader, in, pid, 1, ts, null);
        ByteBuffer back = exit.newRecord();
        exit.field("ret").put(back, 0, ret);
        add(out, reader, back, pid, 1, ts, null);
    }

    private static void add(List<Object> out, RecordReader reader, ByteBuffer b, int pid, int cpu, long[] ts, Random rnd) {
        b.putInt(4, pid);
        ts[0] += rnd == null ? 1000 : 1 + rnd.nextInt(5000);
        RingRecord r = reader.read(cpu, ts[0], b, 0, b.capacity(), 0);
        assertThat(r).isNotNull();
        out.add(r);
    }


    private static void fill(ByteBuffer b, EventFormat.Field f, Random rnd) {
        if (f.size() > 8 || f.type().contains("[")) {
            for (int i = 0; i < f.size(); i++) {
                b.put(f.offset() + i, (byte) rnd.nextInt(256));
            }
            return;
        }
        long v = switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MIN_VALUE >>> rnd.nextInt(64);
            case 3 -> rnd.nextInt(4);
            case 4 -> rnd.nextInt(100);
            case 5 -> rnd.nextLong();
            default -> rnd.nextInt(1 << 20);
        };
        f.put(b, 0, v);
    }


    private static EventFormat byName(List<EventFormat> formats, String name) {
        return formats.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Event> withoutWallTime(List<Event> events) {
        events.forEach(e -> e.getHeader().setWallTsMs(0L)); // when the collector read it: differs by run
        return events;
    }
}
