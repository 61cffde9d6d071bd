package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The archives `mvn package` built, unpacked for a test: what an operator installs. */
final class Distribution {
    private Distribution() {
    }

    /** Unpacks the full archive into {@code dir}; returns its top directory (bin/, lib/, rules/, ...). */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        return unpack(Path.of("../distribution/target"), dir);
    }

    /** Unpacks the collector archive (collect and doctor only) into {@code dir}; returns its top directory. */
    static Path unpackCollector(Path dir) throws IOException, InterruptedException {
        return unpack(Path.of("../distribution/collector/target"), dir);
    }

    /** The tar.gz in {@code built}, the archive found there. */
    static Path archive(Path built) throws IOException {
        try (var s = Files.list(built)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).findFirst().orElseThrow(
                    () -> new IllegalStateException("no archive in " + built + ": run mvn package first"));
        }
    }

    private static Path unpack(Path built, Path dir) throws IOException, InterruptedException {
        Path archive = archive(built);
        assertThat(new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString(), "-C", dir.toString())
                .inheritIO().start().waitFor()).isZero();
        try (var s = Files.list(dir)) {
            return s.findFirst().orElseThrow();
        }
    }
}
