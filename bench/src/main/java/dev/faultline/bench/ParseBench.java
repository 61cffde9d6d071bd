package dev.faultline.bench;

import dev.faultline.commandline.ExitCodes;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ByteLineReader;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The collector's parse + resolve + encode rate on one thread, and where its time goes: the same input
 * through the pipeline without encoding, Avro encoding alone of the events it made, and the cheapest
 * possible look at the text (every byte read once), all in the same window since this machine's speed drifts.
 * The trace is held in memory as bytes and read the way {@code replay} reads a file (ByteLineReader).
 */
@Command(name = "parse", mixinStandardHelpOptions = true, description = {
    "Collector parse + resolve + Avro encode rate on one thread, over simulated trace text held in memory as bytes",
    "(target: >= 2 M events/s per core). Prints the warm-up passes, the measured passes, then a breakdown",
    "(pipeline without encoding, encoding alone, and a floor: each byte of the text read once)."})
final class ParseBench implements Callable<Integer> {
    private static final double TARGET = 2_000_000;

    @Option(names = "--events", defaultValue = "300000", description = "Simulated guest steps (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--passes", defaultValue = "5", description = "Measured passes (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "Warm-up passes run until this long has "
            + "passed, at least one (default ${DEFAULT-VALUE}): the first passes run before the JIT has compiled the whole "
            + "pipeline (1.2-1.4 M events/s where later ones reach 2.2 M on the build machine).")
    double warmupSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (passes < 1) {
            throw new ParameterException(spec.commandLine(), "--passes must be at least 1, not " + passes);
        }
        StringBuilder text = new StringBuilder();
        long[] count = {0};
        new Simulator(new SimulationConfig(3, 6, List.of(VmKind.values()), events, 0, Set.of())).run(l -> {
            text.append(l).append('\n');
            count[0]++;
        });
        Trace lines = new Trace(text.toString().getBytes(StandardCharsets.UTF_8), count[0]);
        System.out.printf("%d lines (%,d bytes) of simulated trace text in memory%n", lines.count, lines.bytes.length);
        EncodeOnlySink encode = new EncodeOnlySink();
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int pass = 1; pass == 1 || System.nanoTime() < warmupEnd; pass++) {
            print("warm-up", pass, pipeline(lines, encode), lines);
        }
        double[] rates = new double[passes];
        for (int pass = 1; pass <= passes; pass++) {
            Run r = pipeline(lines, encode);
            print("pass", pass, r, lines);
            rates[pass - 1] = r.events / r.secs;
        }
        Arrays.sort(rates);
        double best = rates[passes - 1];
        double median = rates[passes / 2];
        System.out.printf("best: %,.0f events/s = %.2f x the 2 M events/s target (median of the passes %,.0f = %.2f x)%n",
                best, best / TARGET, median, median / TARGET);
        breakdown(lines, encode);
        return ExitCodes.OK;
    }

    private static void print(String kind, int pass, Run r, Trace lines) {
        System.out.printf("%s %d: %,d events in %.2f s = %,.0f events/s (%,.0f lines/s)%n", kind, pass, r.events, r.secs,
                r.events / r.secs, lines.count / r.secs);
    }

    /**
     * Best of three of each part, in ns per event; the budget at the target is 500 ns. The pipeline runs
     * first, interleaved with and without encoding; the events it made are kept only for encoding alone
     * (holding 600 000 of them would slow the pipeline's garbage collection).
     */
    private static void breakdown(Trace lines, EncodeOnlySink encode) {
        double full = Double.MAX_VALUE;
        double noEncode = Double.MAX_VALUE;
        double scan = Double.MAX_VALUE;
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            full = Math.min(full, pipeline(lines, encode).nsPerEvent());
            noEncode = Math.min(noEncode, pipeline(lines, e -> { }).nsPerEvent());
            long t0 = System.nanoTime();
            sink += readEachByte(lines.bytes);
            scan = Math.min(scan, (System.nanoTime() - t0) / (double) lines.count);
        }
        List<Event> made = new ArrayList<>();
        EventSink keep = made::add;
        pipeline(lines, keep);
        AvroSerde<Event> serde = AvroSerde.events();
        double encodeOnly = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (Event e : made) {
                sink += serde.encode(e).length;
            }
            encodeOnly = Math.min(encodeOnly, (System.nanoTime() - t0) / (double) made.size());
        }
        double budget = 1e9 / TARGET;
        double linesPerEvent = lines.count / (double) made.size();
        System.out.printf("breakdown, ns per event (best of 3; %d events, %.2f lines each; budget at the target: %.0f ns):%n",
                made.size(), linesPerEvent, budget);
        System.out.printf("  full pipeline            : %6.0f%n", full);
        System.out.printf("  parse + resolve, no Avro : %6.0f%n", noEncode);
        System.out.printf("  Avro encoding alone      : %6.0f  (%.2f x the budget)%n", encodeOnly, encodeOnly / budget);
        System.out.printf("  floor: each byte read once: %5.0f  (%.2f x the budget; checksum %d)%n", scan * linesPerEvent,
                scan * linesPerEvent / budget, sink % 10);
    }

    /** A method of its own, so it is compiled as a whole and not only on-stack-replaced in the caller's loop. */
    private static long readEachByte(byte[] text) {
        long sum = 0;
        for (byte b : text) {
            sum += b;
        }
        return sum;
    }

    /** The simulated trace: its bytes, lines separated by '\n', and how many lines. */
    private record Trace(byte[] bytes, long count) {
    }

    private record Run(long events, double secs) {
        double nsPerEvent() {
            return secs * 1e9 / events;
        }
    }

    private static Run pipeline(Trace lines, EventSink sink) {
        CollectorStats stats = new CollectorStats();
        TracePipeline p = new TracePipeline(HostContext.replay("bench"), sink, stats);
        long t0 = System.nanoTime();
        try {
            ByteLineReader.read(new ByteArrayInputStream(lines.bytes), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array cannot fail to read
        }
        p.finish();
        return new Run(stats.totalEvents(), (System.nanoTime() - t0) / 1e9);
    }
}
