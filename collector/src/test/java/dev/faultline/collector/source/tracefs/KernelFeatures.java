package dev.faultline.collector.source.tracefs;

import static org.assertj.core.api.Assertions.fail;

import dev.faultline.collector.host.KvmCap;
import dev.faultline.collector.host.KvmDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;

/**
 * What the live tests need of the host, checked in one place. Two kinds, treated differently under CI
 * ({@code CI=true}):
 * <ul>
 * <li>an installable tool (gcc, bpftrace, Chromium, Alertmanager): skipped loudly here, a failure under CI,
 * whose {@code .ci/run} installs it;</li>
 * <li>a host capability (root, tracefs, /dev/kvm, guest_memfd): what the kernel offers cannot be installed,
 * so a test that needs it is skipped, or keeps every assertion the host can show and skips only the ones
 * that need it; either way it is said in the test's output and listed in {@link #SKIPS}, which the build
 * prints at its end. Never a failure, never silent.</li>
 * </ul>
 */
public final class KernelFeatures {
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    /** This module's list of what its tests skipped for want of a host capability (the build sums them up). */
    public static final Path SKIPS = Path.of("target/host-capability-skips.txt");
    /** Set to 1 to test the no-guest_memfd path on a host that has guest_memfd (the workloads read it too). */
    public static final String FORCE_NO_GMEM = "FAULTLINE_FORCE_NO_GMEM";

    private KernelFeatures() {
    }

    /** An installable tool: skipped loudly where missing, a failure under CI. */
    public static void requireTool(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " is missing, and CI must run this test (.ci/run installs it)");
        }
        System.err.println("\n*** SKIPPED: " + what + " is missing ***\n");
        Assumptions.abort(what + " is missing");
    }

    /** A host capability: the whole test skipped where missing, reported (here and in the build's summary), never failed. */
    public static void requireHost(boolean present, String what) {
        if (present) {
            return;
        }
        report("the whole test", what);
        Assumptions.abort("host capability missing: " + what);
    }

    /** Root, and tracefs mounted at {@link #TRACEFS} (mounted here if it is not, as the collector does). */
    public static void requireRootAndTracefs() {
        requireHost("root".equals(System.getProperty("user.name")), "root");
        if (!Files.exists(TRACEFS.resolve("available_events")) && Files.isDirectory(TRACEFS)) {
            try {
                new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()).inheritIO().start().waitFor();
            } catch (IOException e) {
                // reported below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        requireHost(Files.exists(TRACEFS.resolve("available_events")), "tracefs mounted at " + TRACEFS);
    }

    public static void requireKvm() {
        requireHost(Files.isWritable(Path.of("/dev/kvm")), "/dev/kvm");
    }

    /** Whether a capability is there for this test run, and why not. */
    public record Capability(String name, boolean available, String why) {
    }

    /**
     * guest_memfd as KVM answers it (the collector's own probe, {@link KvmDevice}), unless
     * {@value #FORCE_NO_GMEM}=1 turns it off for this run.
     */
    public static Capability guestMemfd() {
        String name = KvmCap.GUEST_MEMFD.uapiName();
        KvmDevice.Answers kvm = KvmDevice.ask(Path.of("/dev/kvm"));
        if (kvm.problem() != null) {
            return new Capability(name, false, "KVM not asked: " + kvm.problem());
        }
        if (kvm.cap(KvmCap.GUEST_MEMFD) == 0) {
            return new Capability(name, false, "KVM_CHECK_EXTENSION(" + name + ") = 0 on this kernel");
        }
        if ("1".equals(System.getenv(FORCE_NO_GMEM))) {
            return new Capability(name, false, FORCE_NO_GMEM + "=1 (the kernel has it)");
        }
        return new Capability(name, true, null);
    }

    /**
     * Assertions of the calling test that need a capability this run lacks: said in the test's output and
     * listed for the build's summary. The test goes on to assert everything else.
     */
    public static void skippedAssertions(Capability missing, String what) {
        report(what, missing.name() + ": " + missing.why());
    }

    private static void report(String what, String capability) {
        // the outermost frame of a test class: the test method, not a helper it called
        String test = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().endsWith("Test") || f.getClassName().endsWith("IT"))
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .reduce((inner, outer) -> outer).orElse("?"));
        String line = test + ": skipped " + what + " (needs " + capability + ")";
        System.err.println("\n*** HOST CAPABILITY MISSING: " + line + " ***\n");
        try {
            Files.createDirectories(SKIPS.toAbsolutePath().getParent());
            Files.writeString(SKIPS, Path.of("").toAbsolutePath().getFileName() + "  " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the skip in " + SKIPS.toAbsolutePath(), e);
        }
    }
}
