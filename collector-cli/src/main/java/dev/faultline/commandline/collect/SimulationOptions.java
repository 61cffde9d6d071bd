package dev.faultline.commandline.collect;

import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/** The simulator's options (--source simulate). */
public final class SimulationOptions {
    @Option(names = "--seed", defaultValue = "1", description = "Simulator seed: the same seed gives the same trace (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--vms", defaultValue = "4", description = "Simulated VMs (default ${DEFAULT-VALUE}).")
    int vms;

    @Option(names = "--types", defaultValue = "snp,tdx,sw-protected,sev,sev-es,default", split = ",",
            description = "VM types, assigned round-robin: snp, tdx, sw-protected, sev, sev-es, default (default: all).")
    List<String> types;

    @Option(names = "--events", defaultValue = "10000", description = "Guest steps to simulate (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--rate", defaultValue = "0", description = "Lines per second; 0 runs as fast as possible (default).")
    long rate;

    @Option(names = "--inject", split = ",", paramLabel = "RULE-ID",
            description = "Violate these rules once each, two thirds into the run (rule ids of rules/).")
    List<String> inject = List.of();

    @Option(names = "--inject-every", defaultValue = "0", paramLabel = "STEPS",
            description = "With --inject: one of the rules in turn every STEPS guest steps, instead of each once (default 0: once).")
    long injectEvery;

    @Option(names = "--write-trace", paramLabel = "FILE", description = "Also write the simulated trace text to FILE (it replays identically).")
    Path writeTrace;

    /** The simulator; a negative count or rate (or no VM) is a usage error naming the option. */
    public LineSource source() {
        requireAtLeast("--events", events, 0);
        requireAtLeast("--rate", rate, 0);
        requireAtLeast("--vms", vms, 1);
        requireAtLeast("--inject-every", injectEvery, 0);
        Simulator sim = new Simulator(new SimulationConfig(seed, vms, types.stream().map(VmKind::parse).toList(), events, rate,
                new LinkedHashSet<>(inject), injectEvery));
        if (writeTrace == null) {
            return sim;
        }
        return lines -> {
            try (BufferedWriter w = Files.newBufferedWriter(writeTrace)) {
                sim.run(l -> {
                    try {
                        w.write(l);
                        w.newLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + writeTrace, e);
                    }
                    lines.accept(l);
                });
            }
        };
    }

    private static void requireAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " " + value + ": must be " + min + " or more");
        }
    }

    public static String knownTypes() {
        return Arrays.toString(VmKind.values());
    }
}
