package dev.faultline.collector.source.tracefs.raw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidNamesTest {
    @TempDir
    Path proc;
    @TempDir
    Path tracefs;

    @Test
    void aLiveThreadIsReadFromProc() throws Exception {
        Files.createDirectories(proc.resolve("700"));
        Files.writeString(proc.resolve("700/comm"), "CPU 0/KVM\n");
        Files.writeString(proc.resolve("700/status"), "Name:\tCPU 0/KVM\nTgid:\t690\nPid:\t700\n");
        Files.writeString(tracefs.resolve("saved_tgids"), "700 1\n");
        Files.writeString(tracefs.resolve("saved_cmdlines"), "700 other\n");

        assertNames(new PidNames(proc, tracefs), 700, "CPU 0/KVM", 690);
    }

    @Test
    void aThreadGoneFromProcIsNamedAsTheKernelSavedIt() throws Exception {
        Files.writeString(tracefs.resolve("saved_tgids"), "6762 6762\n6763 6762\n");
        Files.writeString(tracefs.resolve("saved_cmdlines"), "6762 kvmw\n6763 kvm-nx-lpage-re\n");

        assertNames(new PidNames(proc, tracefs), 6763, "kvm-nx-lpage-re", 6762);
    }

    @Test
    void theSavedMapsAreReadAgainForARecordReadAfterThem() throws Exception {
        Files.writeString(tracefs.resolve("saved_tgids"), "1 1\n");
        Files.writeString(tracefs.resolve("saved_cmdlines"), "1 init\n");
        PidNames names = new PidNames(proc, tracefs);
        assertThat(names.of(42, System.nanoTime()).tgid()).isEqualTo(PidNames.NO_TGID);

        Files.writeString(tracefs.resolve("saved_tgids"), "1 1\n42 40\n");
        Files.writeString(tracefs.resolve("saved_cmdlines"), "1 init\n42 worker\n");
        assertNames(names, 42, "worker", 40);
    }

    @Test
    void unknownEverywhereIsPrintedAsTracePipeDoes() {
        PidNames.Names n = new PidNames(proc, null).of(99, System.nanoTime());
        assertThat(n.comm()).isEqualTo("<...>");
        assertThat(n.tgid()).isEqualTo(PidNames.NO_TGID);
    }

    private static void assertNames(PidNames names, int pid, String comm, int tgid) {
        assertThat(names.of(pid, System.nanoTime())).extracting(PidNames.Names::comm, PidNames.Names::tgid)
                .containsExactly(comm, tgid);
    }
}
