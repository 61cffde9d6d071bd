package dev.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.events.Event;
import dev.faultline.events.GmemAllocation;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.Pio;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every capture in shared/fixtures/real, used as it is. */
public class RealFixturesTest {
    static final Path REAL = Replay.shared().resolve("fixtures/real");

    static Stream<Path> fixtures() throws IOException {
        assertThat(REAL).as("shared fixtures at %s", REAL.toAbsolutePath()).isDirectory();
        try (var s = Files.list(REAL)) {
            return s.sorted().toList().stream();
        }
    }

    static boolean isTrace(Path p) throws IOException {
        try (var lines = Files.lines(p)) {
            return lines.anyMatch(l -> l.contains("# tracer:") || l.matches("^\\s+\\S.*-\\d+\\s+(\\(.*\\)\\s+)?\\[\\d+\\].*"));
        }
    }

    /** No supported event line is left unparsed; lines that are no trace lines are counted, not lost. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyLineIsAccountedFor(Path file) throws IOException {
        Replay r = Replay.file(file);
        assertThat(r.stats.skipped().keySet()).noneMatch(k -> k.startsWith("bad-payload"));
        long lineCount;
        try (var lines = Files.lines(file)) {
            lineCount = lines.count();
        }
        assertThat(r.stats.lines()).isEqualTo(lineCount);
        if (isTrace(file)) {
            assertThat(r.stats.skipped().keySet()).as(r.stats.summary()).noneMatch(k -> k.startsWith("malformed"));
        } else {
            // Lab notes (bpftrace's own output, rate tables): not trace lines, each one counted.
            assertThat(r.events).isEmpty();
            assertThat(r.stats.skipped().entrySet().stream().filter(e -> e.getKey().startsWith("malformed"))
                    .mapToLong(e -> e.getValue()).sum()).isPositive();
        }
    }

    @Test
    void gmemCreateBindPunch() throws IOException {
        Replay r = Replay.file(REAL.resolve("gmem_create_bind_punch.trace"));

        List<VmCreated> vms = r.bodies(VmCreated.class);
        assertThat(vms).hasSize(1);
        assertThat(vms.get(0).getVmType()).isEqualTo(VmType.DEFAULT);
        assertThat(vms.get(0).getVmFd()).isEqualTo(5);
        String vm = r.ofType(VmCreated.class).get(0).getHeader().getVm();
        assertThat(vm).isEqualTo("lab/10239/5@459.768880");

        List<GmemCreated> gmem = r.bodies(GmemCreated.class);
        assertThat(gmem).hasSize(1);
        assertThat(gmem.get(0).getFd()).isEqualTo(6);
        assertThat(gmem.get(0).getInode()).isEqualTo(0x5defL); // from the #> fd annotation (st_ino 24047)
        assertThat(gmem.get(0).getSize()).isEqualTo(0x200000L);

        // KVM_SET_USER_MEMORY_REGION (slot 0), REGION2 bind, REGION2 delete
        assertThat(r.bodies(MemslotSet.class)).extracting(MemslotSet::getIoctl)
                .containsExactly("SET_USER_MEMORY_REGION", "SET_USER_MEMORY_REGION2", "SET_USER_MEMORY_REGION2");

        assertThat(r.bodies(GmemInvalidation.class)).extracting(GmemInvalidation::getOffset, GmemInvalidation::getLength,
                GmemInvalidation::getMode).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0x10000L, 0x10000L, 3),
                        org.assertj.core.groups.Tuple.tuple(0L, 0x200000L, 3));
        assertThat(r.bodies(GmemAllocation.class)).extracting(GmemAllocation::getOffset, GmemAllocation::getLength,
                GmemAllocation::getMode).containsExactly(org.assertj.core.groups.Tuple.tuple(0x40000L, 0x10000L, 1));

        assertThat(r.bodies(GmemPageAdded.class)).hasSize(82);
        assertThat(r.bodies(GmemPageRemoved.class)).hasSize(66);
        assertThat(r.bodies(UserspaceExit.class)).extracting(UserspaceExit::getReasonName).containsOnly("KVM_EXIT_HLT");
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly(vm);
        assertThat(r.stats.unsupported()).containsKeys("sys_mmap", "kvm_mmu_paging_element", "tracing_mark_write")
                .doesNotContainKeys("sys_ioctl", "sys_fallocate", "kvm_userspace_exit");
        // host page faults on the VMM's binary are not gmem
        assertThat(r.stats.skipped().get("filemap-not-gmem")).isEqualTo(6);
        assertSequenced(r.events);
    }

    @Test
    void mmioPioWithTgid() throws IOException {
        Replay r = Replay.file(REAL.resolve("mmio_pio_trace_pipe_record_tgid.txt"));
        // 2 iterations of {out 0x3f8; MMIO write; MMIO read (unsatisfied-read + read)}
        assertThat(r.bodies(Pio.class)).hasSize(2).allMatch(p -> p.getWrite() && p.getPort() == 0x3f8);
        assertThat(r.bodies(Mmio.class)).extracting(Mmio::getKind).containsExactly(MmioKind.WRITE,
                MmioKind.UNSATISFIED_READ, MmioKind.READ, MmioKind.WRITE, MmioKind.UNSATISFIED_READ, MmioKind.READ);
        // no KVM_CREATE_VM in the capture: the VM is attached at the process's first KVM event, type unknown
        assertThat(r.bodies(VmCreated.class)).singleElement().satisfies(v -> {
            assertThat(v.getAttached()).isTrue();
            assertThat(v.getVmType()).isEqualTo(VmType.UNKNOWN);
        });
        long firstNs = r.events.get(0).getHeader().getKernelTsNs();
        String first = String.format("%d.%06d", firstNs / 1_000_000_000L, firstNs % 1_000_000_000L / 1000);
        assertThat(r.events).extracting(e -> e.getHeader().getVm()).containsOnly("lab/13403@" + first);
        assertThat(r.events).allMatch(e -> e.getHeader().getTgid() == 13403);
    }

    @Test
    void mmioPioRealAndLongMode() throws IOException {
        for (String f : List.of("mmio_pio_realmode.trace", "mmio_pio_longmode.trace")) {
            Replay r = Replay.file(REAL.resolve(f));
            assertThat(r.bodies(Pio.class)).as(f).hasSize(3);
            assertThat(r.bodies(Mmio.class)).as(f).hasSize(9);
            assertThat(r.bodies(UserspaceExit.class)).as(f).hasSize(10);
        }
    }

    public static void assertSequenced(List<Event> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).getHeader().getSeq()).isEqualTo(events.get(i - 1).getHeader().getSeq() + 1);
        }
    }
}
