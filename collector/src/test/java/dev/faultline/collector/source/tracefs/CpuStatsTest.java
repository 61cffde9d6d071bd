package dev.faultline.collector.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.events.LossReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Overruns in the real kernel ring buffer are reported as loss, once. Needs root, tracefs and /dev/kvm. */
class CpuStatsTest {

    @Test
    void lossInASmallUnreadBufferIsReportedOnce() throws Exception {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        List<long[]> losses = new ArrayList<>();
        dev.faultline.collector.loss.LossSink sink = (cpu, count, reason) -> {
            assertThat(reason).as("the session drops new events, never overwrites").isEqualTo(LossReason.DROPPED);
            losses.add(new long[] {cpu, count});
        };
        // a tiny buffer nobody reads, and a burst of kvm_pio events: the kernel drops what does not fit
        try (TracefsSession s = TracefsSession.open(KernelFeatures.TRACEFS, List.of("kvm/kvm_pio", "kvm/kvm_userspace_exit"), 4)) {
            CpuStats stats = new CpuStats(s.tracePipe().getParent());
            stats.report(sink, true);
            Path workload = Path.of(System.getProperty("java.io.tmpdir"), "faultline-cpustats-workload");
            Process cc = new ProcessBuilder("gcc", "-O2", "-I", Path.of("../bench/src/main/resources/faultline/bench").toAbsolutePath().toString(),
                    "-o", workload.toString(), Path.of("../integration-tests/src/test/c/kvm_workload.c").toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            String ccOut = new String(cc.getInputStream().readAllBytes());
            assertThat(cc.waitFor()).as(ccOut).isZero();
            assertThat(new ProcessBuilder(workload.toString(), "5000").start().waitFor()).isZero();
            Files.deleteIfExists(workload);
            stats.report(sink, false);
            long lost = losses.stream().mapToLong(l -> l[1]).sum();
            assertThat(lost).as("events overwritten in a 4 KiB buffer by 10 000 events").isGreaterThan(1000);
            losses.clear();
            stats.report(sink, false);
            assertThat(losses).as("each loss reported once").isEmpty();
            // and not a second time by the reader: in overwrite mode trace_pipe would also print CPU:N [LOST n EVENTS]
            Process cat = new ProcessBuilder("timeout", "2", "cat", s.tracePipe().toString()).start();
            String text = new String(cat.getInputStream().readAllBytes());
            cat.waitFor();
            assertThat(text).as("what the reader sees after the loss").contains("kvm_pio").doesNotContain("LOST");
        }
    }
}
