package dev.faultline.bench;

import dev.faultline.commandline.ExitCodes;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.resolve.FdInspector;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.LiveSource;
import dev.faultline.collector.source.tracefs.CpuStats;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.collector.source.tracefs.TracefsSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Live-capture benchmark (docs/design.md §8): a guest exiting as fast as it can, traced with the collector's
 * standard event set, read first by a minimal C trace_pipe_raw reader, then by the collector (raw
 * reader, parse, resolve, Avro encode); the guest's exit rate under each and what each lost.
 */
@Command(name = "live", mixinStandardHelpOptions = true, description = {
    "Live capture: guest exit rate and ring-buffer overruns with a minimal C trace_pipe_raw reader, then with the",
    "collector (raw reader, same events and kernel filters); the collector's rate as a ratio of the C reader's",
    "(target: >= 0.9, zero overruns). Needs root, /dev/kvm, tracefs and gcc (the guest and the C reader are compiled)."})
final class LiveBench implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "How long the guest runs in each measurement (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rounds", defaultValue = "2", description = "C reader / collector pairs, alternating (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--buffer-kb", defaultValue = "8192", description = "Ring buffer per CPU, KiB, for both readers (default ${DEFAULT-VALUE}).")
    int bufferKb;

    @Option(names = "--tracefs", defaultValue = "/sys/kernel/tracing", description = "Where tracefs is (mounted if it is not).")
    Path tracefs;

    private record Run(double exitsPerSecond, long lost, String detail) {
    }

    @Override
    public Integer call() throws Exception {
        String missing = missing();
        if (missing != null) {
            System.err.println("faultline bench live: needs " + missing);
            return ExitCodes.UNUSABLE_INPUT;
        }
        Path dir = Files.createTempDirectory("faultline-bench-live");
        Path guest = compile(dir, "exit_storm");
        Path rawcat = compile(dir, "rawcat");
        Map<String, String> filters = EventFilters.of(TracefsSession.STANDARD_EVENTS, null, EventFilters.anonInodeDev());
        System.out.printf("events: %s%n", String.join(" ", TracefsSession.STANDARD_EVENTS));
        System.out.printf("guest alone (warm-up, no tracing): %,.0f exits/s%n", guest(guest));
        // a collector runs for days: measure it compiled, as it is after its first seconds
        print("collector warm-up (JIT)", collector(guest, filters));
        List<Run> c = new ArrayList<>();
        List<Run> collector = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            c.add(print("C trace_pipe_raw reader", cReader(guest, rawcat, filters)));
            collector.add(print("collector (raw reader)", collector(guest, filters)));
        }
        double cRate = c.stream().mapToDouble(Run::exitsPerSecond).average().orElse(0);
        double jRate = collector.stream().mapToDouble(Run::exitsPerSecond).average().orElse(0);
        long cLost = c.stream().mapToLong(Run::lost).sum();
        long jLost = collector.stream().mapToLong(Run::lost).sum();
        System.out.printf("mean guest exit rate: C reader %,.0f/s, collector %,.0f/s: ratio %.2f (target >= 0.90)%n", cRate, jRate,
                jRate / cRate);
        System.out.printf("events lost: C reader %d, collector %d (target 0)%n", cLost, jLost);
        return ExitCodes.OK;
    }

    private static Run print(String who, Run r) {
        System.out.printf("%-24s %,10.0f exits/s, lost %d; %s%n", who + ":", r.exitsPerSecond(), r.lost(), r.detail());
        return r;
    }

    private String missing() throws IOException, InterruptedException {
        if (!new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip().equals("0")) {
            return "root";
        }
        if (!Files.isReadable(Path.of("/dev/kvm"))) {
            return "/dev/kvm";
        }
        try {
            if (new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start().waitFor() != 0) {
                return "gcc";
            }
        } catch (IOException e) {
            return "gcc";
        }
        return null;
    }

    private static Path compile(Path dir, String name) throws IOException, InterruptedException {
        Path src = dir.resolve(name + ".c");
        for (String file : List.of(name + ".c", "kvm_guest.h")) {
            try (InputStream in = LiveBench.class.getResourceAsStream("/faultline/bench/" + file)) {
                Files.copy(in, dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path out = dir.resolve(name);
        Process cc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (cc.waitFor() != 0) {
            throw new IOException("gcc " + src + ": " + msg);
        }
        return out;
    }

    /** Runs the guest for {@link #seconds}; its exits per second. */
    private double guest(Path guest) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(guest.toString(), Double.toString(seconds)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !out.startsWith("exits ")) {
            throw new IOException("the benchmark guest failed: " + out);
        }
        String[] w = out.split(" ");
        return Long.parseLong(w[1]) / Double.parseDouble(w[3]);
    }

    private Run cReader(Path guest, Path rawcat, Map<String, String> filters) throws Exception {
        try (TracefsSession s = TracefsSession.open(tracefs, TracefsSession.STANDARD_EVENTS, bufferKb, filters)) {
            CpuStats stats = new CpuStats(s.instance());
            long[] lost = {0};
            stats.report((cpu, n, reason) -> { }, true);
            List<String> cmd = new ArrayList<>(List.of(rawcat.toString(), s.instance().toString()));
            try (var dirs = Files.list(s.instance().resolve("per_cpu"))) {
                dirs.map(d -> d.getFileName().toString().substring(3)).sorted().forEach(cmd::add);
            }
            Process reader = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread.sleep(300);
            double rate = guest(guest);
            Thread.sleep(300);
            reader.toHandle().destroy(); // SIGTERM (its streams stay open): it reads what is left, then ends
            String pages = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().replace('\n', ',');
            if (!reader.waitFor(10, TimeUnit.SECONDS) || reader.exitValue() != 0) {
                throw new IOException("the C reader failed: " + pages);
            }
            stats.report((cpu, n, reason) -> lost[0] += n, false);
            return new Run(rate, lost[0], pages);
        }
    }

    private Run collector(Path guest, Map<String, String> filters) throws Exception {
        LiveSource live = new LiveSource(TracefsReader.RAW.open(tracefs, TracefsSession.STANDARD_EVENTS, bufferKb, filters), null, 100);
        EncodeOnlySink encode = new EncodeOnlySink();
        CollectorStats stats = new CollectorStats();
        TracePipeline pipeline = new TracePipeline(new HostContext("bench", TracefsReader.RAW.eventSource(), Clock.systemUTC(), 47, 1,
                FdInspector.proc(Path.of("/proc"))), encode, stats);
        live.reportLossTo(pipeline::loss);
        Exception[] failed = {null};
        Thread t = new Thread(() -> {
            try {
                live.runBytes(pipeline);
                pipeline.finish();
            } catch (IOException | RuntimeException e) {
                failed[0] = e;
            }
        }, "faultline-bench-collector");
        t.start();
        if (!live.awaitStarted(10_000)) {
            live.stop();
            t.join();
            throw new IOException("the collector did not start", failed[0]);
        }
        Thread.sleep(300);
        double rate = guest(guest);
        live.stop();
        t.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        long lost = stats.lostEvents().values().stream().mapToLong(Long::longValue).sum();
        return new Run(rate, lost, String.format("%,d lines, %,d events, %,d bytes of Avro", stats.lines(), stats.totalEvents(), encode.bytes()));
    }
}
