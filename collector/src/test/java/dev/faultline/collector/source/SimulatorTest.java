package dev.faultline.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.collector.Replay;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import dev.faultline.events.PageFault;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorTest {
    static final List<VmKind> ALL = List.of(VmKind.values());

    static List<String> lines(long seed, long events, Set<String> inject) {
        List<String> out = new ArrayList<>();
        new Simulator(new SimulationConfig(seed, 6, ALL, events, 0, inject)).run(out::add);
        return out;
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        assertThat(lines(42, 2000, Set.of())).isEqualTo(lines(42, 2000, Set.of()));
        assertThat(lines(43, 2000, Set.of())).isNotEqualTo(lines(42, 2000, Set.of()));
    }

    /** Written to a file, the simulated trace replays into the same events. */
    @Test
    void writtenTraceReplaysIdentically(@TempDir Path tmp) throws Exception {
        List<String> text = lines(5, 3000, Set.of("trace-loss", "private-fault-emulated-mmio"));
        Replay direct = Replay.lines(text.toArray(String[]::new));
        Path file = Files.write(tmp.resolve("sim.trace"), text);
        Replay replayed = Replay.file(file);
        assertThat(replayed.events).hasSameSizeAs(direct.events);
        for (int i = 0; i < direct.events.size(); i++) {
            Event a = direct.events.get(i);
            Event b = replayed.events.get(i);
            b.getHeader().setWallTsMs(a.getHeader().getWallTsMs());
            assertThat(b).isEqualTo(a);
        }
        assertThat(direct.stats.skipped()).isEmpty();
        assertThat(direct.stats.unsupported()).isEmpty();
    }

    @Test
    void everyTypeRunsWithItsPrivateBits() {
        Replay r = Replay.lines(lines(9, 4000, Set.of()).toArray(String[]::new));
        assertThat(r.bodies(VmCreated.class)).extracting(VmCreated::getVmType).containsExactlyInAnyOrder(
                VmType.DEFAULT, VmType.SW_PROTECTED, VmType.SEV, VmType.SEV_ES, VmType.SEV_SNP, VmType.TDX);
        // types go round-robin in VmKind order: VM 4 (tgid 1040) is SNP, VM 1 (1010) software-protected.
        // The collector decides private-ness for SNP, TDX and the never-private types, not for software-protected.
        var bySnp = r.ofType(PageFault.class).stream()
                .filter(e -> e.getHeader().getVm().contains("/1040/")).map(e -> ((PageFault) e.getBody()).getPrivate$()).toList();
        assertThat(bySnp).contains(true, false).doesNotContainNull();
        var bySw = r.ofType(PageFault.class).stream()
                .filter(e -> e.getHeader().getVm().contains("/1010/")).map(e -> ((PageFault) e.getBody()).getPrivate$()).toList();
        assertThat(bySw).isNotEmpty().containsOnlyNulls();
    }

    @Test
    void injectionsNeedAVmThatCanShowThem() {
        assertThatThrownBy(() -> new Simulator(new SimulationConfig(1, 1, List.of(VmKind.SNP), 10, 0,
                Set.of("private-fault-without-private-memory"))).run(l -> { }))
                .hasMessageContaining("cannot inject private-fault-without-private-memory");
        assertThatThrownBy(() -> new SimulationConfig(1, 1, List.of(VmKind.SNP), 10, 0, Set.of("no-such-rule")))
                .hasMessageContaining("known rule ids");
    }
}
