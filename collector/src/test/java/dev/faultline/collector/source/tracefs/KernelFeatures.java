package dev.faultline.collector.source.tracefs;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need root, tracefs or /dev/kvm check here. Where a feature is missing they are skipped,
 * loudly; under CI (CI=true), which runs as root on machines with /dev/kvm and tracefs, they fail instead.
 */
public final class KernelFeatures {
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private KernelFeatures() {
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " is missing, and CI must run this test");
        }
        System.err.println("\n*** SKIPPED: " + what + " is missing ***\n");
        Assumptions.abort(what + " is missing");
    }

    /** Root, and tracefs mounted at {@link #TRACEFS} (mounted here if it is not, as the collector does). */
    public static void requireRootAndTracefs() {
        require("root".equals(System.getProperty("user.name")), "root");
        if (!Files.exists(TRACEFS.resolve("available_events")) && Files.isDirectory(TRACEFS)) {
            try {
                new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()).inheritIO().start().waitFor();
            } catch (java.io.IOException e) {
                // reported below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        require(Files.exists(TRACEFS.resolve("available_events")), "tracefs mounted at " + TRACEFS);
    }

    public static void requireKvm() {
        require(Files.isWritable(Path.of("/dev/kvm")), "/dev/kvm");
    }
}
