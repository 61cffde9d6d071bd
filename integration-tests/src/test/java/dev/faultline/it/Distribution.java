package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The archive `mvn package` built, unpacked for a test: what an operator installs. */
final class Distribution {
    private Distribution() {
    }

    /** Unpacks the archive into {@code dir}; returns its top directory (bin/, lib/, rules/, ...). */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        Path archive;
        try (var s = Files.list(Path.of("../distribution/target"))) {
            archive = s.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).findFirst().orElseThrow(
                    () -> new IllegalStateException("no archive in ../distribution/target: run mvn package first"));
        }
        assertThat(new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString(), "-C", dir.toString())
                .inheritIO().start().waitFor()).isZero();
        try (var s = Files.list(dir)) {
            return s.findFirst().orElseThrow();
        }
    }
}
