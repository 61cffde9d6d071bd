package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive `mvn package` builds, unpacked in an empty directory, runs the demo on its own. */
class DistributionIT {

    @Test
    void unpackedArchiveRunsTheDemo(@TempDir Path empty) throws Exception {
        Path home = Distribution.unpack(empty);
        assertThat(home.resolve("bin/faultline")).isExecutable();
        assertThat(home.resolve("rules/private-memory.yaml")).exists();
        assertThat(home.resolve("bpf/faultline.bt")).exists();
        assertThat(home.resolve("systemd/faultline-collector.service")).exists();
        assertThat(home.resolve("config/faultline.yaml")).exists();

        Process demo = new ProcessBuilder(home.resolve("bin/faultline").toString(), "demo", "--exit-after-replay")
                .directory(empty.toFile()).redirectErrorStream(true).start();
        String out = new String(demo.getInputStream().readAllBytes());
        assertThat(demo.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(demo.exitValue()).as(out).isZero();
        assertThat(out).contains("ALERT CRITICAL  private-fault-emulated-mmio")
                .contains("ALERT ERROR  gmem-invalidation-outside-binding").contains("2 alert(s)");
    }
}
