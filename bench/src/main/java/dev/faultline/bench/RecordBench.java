package dev.faultline.bench;

import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ring.EventFormat;
import dev.faultline.collector.source.ring.RecordReader;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.source.ring.ThreadNames;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.commandline.ExitCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The binary record path (live raw reader, trace.dat) against printing each record as trace_pipe's line and parsing
 * that back (what the collector did before): the same records, made with this host's own format files, through the
 * same pipeline, passes alternated in one process.
 */
@Command(name = "records", mixinStandardHelpOptions = true, description = {
    "Binary records (the live raw reader's and trace.dat's) read from their fields, against the same records printed",
    "as trace_pipe's lines and parsed back (the path before), on one thread, without Avro encoding: the events",
    "per second of each and their ratio (median of the passes, alternated). Needs this host's format files",
    "(tracefs events/kvm), not /dev/kvm."})
final class RecordBench implements Callable<Integer> {
    /** A busy guest's mix: exits and faults dominate; set_spte has no field reader (its records are printed). */
    private static final List<String> MIX = List.of("kvm/kvm_exit:40", "kvm/kvm_page_fault:20", "kvm/kvm_mmio:10",
            "kvm/kvm_pio:10", "kvm/kvm_userspace_exit:8", "kvm/kvm_hypercall:2", "kvmmmu/kvm_tdp_mmu_spte_changed:5",
            "kvmmmu/kvm_mmu_set_spte:5");
    private static final long[] VMX_REASONS = {48, 30, 12, 1, 32, 31, 10, 0x80000021L};

    @Option(names = "--records", defaultValue = "500000", description = "Records per pass (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--passes", defaultValue = "7", description = "Measured passes of each path (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--tracefs", defaultValue = "/sys/kernel/tracing", description = "Where the format files are.")
    Path tracefs;

    @Override
    public Integer call() throws IOException {
        List<RingRecord> records;
        try {
            records = records(tracefs, count);
        } catch (IOException e) {
            System.err.println("bench records: cannot read this host's format files under " + tracefs.resolve("events")
                    + " (" + e.getMessage() + "); mount tracefs or pass --tracefs");
            return ExitCodes.UNUSABLE_INPUT;
        }
        System.out.printf("%,d records of this host's formats (%s) in memory%n", records.size(), tracefs);
        for (int warm = 0; warm < 3; warm++) {
            run(records, true);
            run(records, false);
        }
        double[] fields = new double[passes];
        double[] text = new double[passes];
        for (int pass = 0; pass < passes; pass++) {
            fields[pass] = run(records, true);
            text[pass] = run(records, false);
            System.out.printf("pass %d: fields %,.0f events/s, printed and parsed %,.0f events/s%n", pass + 1, fields[pass],
                    text[pass]);
        }
        Arrays.sort(fields);
        Arrays.sort(text);
        double printOnly = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            printOnly = Math.min(printOnly, printAll(records));
        }
        System.out.printf("median: fields %,.0f events/s, printed and parsed %,.0f events/s: %.2f x%n", fields[passes / 2],
                text[passes / 2], fields[passes / 2] / text[passes / 2]);
        System.out.printf("printing alone (the raw reader's threads did it before): %.0f ns per record%n", printOnly);
        return ExitCodes.OK;
    }

    /** Events per second of one pass; {@code fields}: records handed over as records, else as their printed lines. */
    private static double run(List<RingRecord> records, boolean fields) {
        CollectorStats stats = new CollectorStats();
        TracePipeline p = new TracePipeline(HostContext.replay("bench"), e -> { }, stats);
        long t0 = System.nanoTime();
        for (RingRecord r : records) {
            if (fields) {
                p.record(r);
            } else {
                byte[] b = r.line().getBytes(StandardCharsets.UTF_8);
                p.line(b, 0, b.length);
            }
        }
        p.finish();
        return stats.totalEvents() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double printAll(List<RingRecord> records) {
        long t0 = System.nanoTime();
        long sum = 0;
        for (RingRecord r : records) {
            sum += r.line().getBytes(StandardCharsets.UTF_8).length;
        }
        return (System.nanoTime() - t0 + (sum & 1)) / (double) records.size();
    }

    /** A VM made by one process, then its vCPU threads' records in the mix, with sensible values. */
    static List<RingRecord> records(Path tracefs, int n) throws IOException {
        List<EventFormat> formats = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String event : List.of("syscalls/sys_enter_ioctl", "syscalls/sys_exit_ioctl")) {
            formats.add(format(tracefs, event));
        }
        List<Integer> weights = new ArrayList<>();
        for (String m : MIX) {
            String event = m.substring(0, m.indexOf(':'));
            formats.add(format(tracefs, event));
            names.add(event);
            weights.add(Integer.parseInt(m.substring(m.indexOf(':') + 1)));
        }
        Map<Integer, ThreadNames.Known> threads = Map.of(4242, new ThreadNames.Known("qemu-system-x86", 4242),
                4243, new ThreadNames.Known("CPU 0/KVM", 4242), 4244, new ThreadNames.Known("CPU 1/KVM", 4242));
        RecordReader reader = new RecordReader(formats, ThreadNames.fixed(threads));
        Random rnd = new Random(42);
        List<RingRecord> out = new ArrayList<>(n);
        long[] ts = {100_000_000_000L};
        ioctl(out, reader, formats, ts, 4242, 3, 0xae01L, 4, 12); // KVM_CREATE_VM (SEV-SNP) -> 12
        ioctl(out, reader, formats, ts, 4242, 12, 0xae41L, 0, 13); // KVM_CREATE_VCPU 0 -> 13
        ioctl(out, reader, formats, ts, 4242, 12, 0xae41L, 1, 14);
        ioctl(out, reader, formats, ts, 4243, 13, 0xae80L, 0, 0); // KVM_RUN, entered by each vCPU thread
        ioctl(out, reader, formats, ts, 4244, 14, 0xae80L, 0, 0);
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        while (out.size() < n) {
            int pick = rnd.nextInt(total);
            int i = 0;
            while (pick >= weights.get(i)) {
                pick -= weights.get(i++);
            }
            EventFormat f = formats.get(i + 2);
            ByteBuffer b = f.newRecord();
            for (EventFormat.Field field : f.fields().values()) {
                if (!field.name().startsWith("common_")) {
                    field.put(b, 0, value(names.get(i), field.name(), rnd));
                }
            }
            add(out, reader, b, 4243 + rnd.nextInt(2), rnd.nextInt(4), ts);
        }
        return out;
    }

    private static long value(String event, String field, Random rnd) {
        return switch (field) {
            case "exit_reason" -> VMX_REASONS[rnd.nextInt(VMX_REASONS.length)];
            case "isa" -> 1;
            case "vcpu_id" -> rnd.nextInt(2);
            case "type" -> event.endsWith("mmio") ? rnd.nextInt(3) : rnd.nextInt(4);
            case "len", "size" -> 1 << rnd.nextInt(4);
            case "count" -> 1;
            case "errno" -> 0;
            case "reason" -> 2 + rnd.nextInt(5);
            case "level", "as_id" -> rnd.nextInt(3);
            default -> rnd.nextLong() >>> rnd.nextInt(40);
        };
    }

    private static void ioctl(List<RingRecord> out, RecordReader reader, List<EventFormat> formats, long[] ts, int pid,
            long fd, long cmd, long arg, long ret) {
        EventFormat enter = formats.get(0);
        EventFormat exit = formats.get(1);
        ByteBuffer in = enter.newRecord();
        enter.field("fd").put(in, 0, fd);
        enter.field("cmd").put(in, 0, cmd);
        enter.field("arg").put(in, 0, arg);
        add(out, reader, in, pid, 0, ts);
        ByteBuffer back = exit.newRecord();
        exit.field("ret").put(back, 0, ret);
        add(out, reader, back, pid, 0, ts);
    }

    private static void add(List<RingRecord> out, RecordReader reader, ByteBuffer b, int pid, int cpu, long[] ts) {
        b.putInt(4, pid);
        ts[0] += 700;
        out.add(reader.read(cpu, ts[0], b, 0, b.capacity(), 0));
    }

    private static EventFormat format(Path tracefs, String event) throws IOException {
        Path file = tracefs.resolve("events").resolve(event).resolve("format");
        return EventFormat.parse(event.substring(0, event.indexOf('/')), file.toString(), Files.readString(file));
    }


}
