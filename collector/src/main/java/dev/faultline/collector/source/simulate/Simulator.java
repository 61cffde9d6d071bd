package dev.faultline.collector.source.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.faultline.collector.source.LineSource;
import java.util.function.Consumer;

/**
 * Realistic VM lifecycles as trace text (exact tracefs lines and the BPF helper's faultline_* lines):
 * per VM type memslots, guest_memfd, launch population, conversions (MAP_GPA_RANGE, SNP page-state
 * changes, memory-fault exits), faults with the right private bits, MMIO, PIO, discards. Deterministic
 * for a seed; violations injected by rule id. Because it writes trace text, what it makes goes through
 * the same parser as a capture, and written to a file it replays identically.
 */
public final class Simulator implements LineSource {
    private final SimulationConfig config;
    private final Random random;
    private long ts = 100_000_000_000L;

    public Simulator(SimulationConfig config) {
        this.config = config;
        this.random = new Random(config.seed());
    }

    /** Where each injected rule's violation goes: a VM of a type that can show it. */
    Map<String, Integer> placement() {
        Map<String, Integer> out = new LinkedHashMap<>();
        int n = 0;
        for (String rule : config.inject()) {
            Integer chosen = null;
            for (int i = 0; i < config.vms() && chosen == null; i++) {
                int vm = (n + i) % config.vms();
                if (Violations.supports(rule, kindOf(vm))) {
                    chosen = vm;
                }
            }
            if (chosen == null) {
                throw new IllegalArgumentException("cannot inject " + rule + ": no VM of a type that can show it in "
                        + config.types());
            }
            out.put(rule, chosen);
            n++;
        }
        return out;
    }

    private VmKind kindOf(int vm) {
        return config.types().get(vm % config.types().size());
    }

    /** Writes the whole simulation, line by line. */
    @Override
    public void run(Consumer<String> lines) {
        Map<String, Integer> placement = placement();
        Pacer pacer = new Pacer(config.ratePerSecond());
        SimVm.Output out = line -> {
            pacer.pace();
            lines.accept(line);
        };
        List<SimVm> vms = new ArrayList<>();
        for (int i = 0; i < config.vms(); i++) {
            SimVm vm = new SimVm(kindOf(i), i, new Random(random.nextLong()), this::tick, out);
            vm.create();
            vms.add(vm);
        }
        long injectAt = config.events() * 2 / 3;
        List<String> inTurn = List.copyOf(placement.keySet());
        int turn = 0;
        for (long e = 0; e < config.events(); e++) {
            if (config.injectEvery() > 0 && !inTurn.isEmpty() && e > 0 && e % config.injectEvery() == 0) {
                String rule = inTurn.get(turn++ % inTurn.size());
                inject(rule, vms.get(placement.get(rule)), out);
            } else if (config.injectEvery() == 0 && e == injectAt) {
                placement.forEach((rule, vm) -> inject(rule, vms.get(vm), out));
            }
            vms.get(random.nextInt(vms.size())).step();
        }
        if (config.injectEvery() == 0 && config.events() <= injectAt) {
            placement.forEach((rule, vm) -> Violations.inject(rule, vms.get(vm), out));
        }
        vms.forEach(SimVm::destroy);
    }

    /** One violation, and for a rule that needs it the time that makes it one (a follow-up that never came). */
    private void inject(String rule, SimVm vm, SimVm.Output out) {
        Violations.inject(rule, vm, out);
        if (Violations.needsTimeToPass(rule)) {
            ts += 2_000_000_000L;
            vm.pio(0);
        }
    }

    private long tick() {
        ts += 1_000 + random.nextInt(9_000);
        return ts;
    }

    /** Holds lines to a rate, if one is set. */
    private static final class Pacer {
        private final long perSecond;
        private final long start = System.nanoTime();
        private long sent;

        Pacer(long perSecond) {
            this.perSecond = perSecond;
        }

        void pace() {
            if (perSecond <= 0) {
                return;
            }
            sent++;
            long due = start + sent * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                try {
                    Thread.sleep(wait / 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
