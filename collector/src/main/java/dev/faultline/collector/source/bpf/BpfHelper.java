package dev.faultline.collector.source.bpf;

import dev.faultline.collector.source.LineSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bundled bpftrace script (faultline.bt) that prints the faultline_* lines of docs/design.md §4:
 * the KVM ioctl argument structs tracefs shows only as pointers. Its output is trace text, read by the
 * same parser. bpftrace comes from Debian's package; where it is missing {@link #available} says why.
 */
public final class BpfHelper implements LineSource {
    private static final Logger LOG = LoggerFactory.getLogger(BpfHelper.class);
    static final String SCRIPT = "/faultline/bpf/faultline.bt";

    /** How long bpftrace gets to run its END block and exit after SIGINT before it is terminated. */
    static final long STOP_GRACE_MILLIS = 10_000;

    private final Path bpftrace;
    private final long graceMillis;
    private volatile Process process;
    private volatile boolean stopping;

    public BpfHelper(Path bpftrace) {
        this(bpftrace, STOP_GRACE_MILLIS);
    }

    BpfHelper(Path bpftrace, long graceMillis) {
        this.bpftrace = bpftrace;
        this.graceMillis = graceMillis;
    }

    /** bpftrace on the PATH, or null. */
    public static Path findBpftrace() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
            Path p = Path.of(dir, "bpftrace");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The script as shipped, for packaging and for reading. */
    public static String script() throws IOException {
        try (InputStream in = BpfHelper.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("bundled script " + SCRIPT + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void run(Consumer<String> lines) throws IOException {
        Path script = Files.createTempFile("faultline", ".bt");
        try {
            Files.writeString(script, script());
            Process p = new ProcessBuilder(bpftrace.toString(), script.toString()).redirectError(ProcessBuilder.Redirect.PIPE).start();
            process = p;
            if (stopping) { // stop() came while bpftrace was starting: it saw no process to signal
                stop(p);
            }
            Thread errors = new Thread(() -> drainErrors(p), "faultline-bpftrace-stderr");
            errors.setDaemon(true);
            errors.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("Attaching ")) {
                        attached = true;
                    } else {
                        lines.accept(line);
                    }
                }
            }
            int rc = p.waitFor();
            if (rc != 0 && rc != 130 && rc != 143) {
                LOG.warn("bpftrace exited with {}", rc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** Waits until bpftrace has attached its probes (its first output), up to {@code millis}. */
    public boolean awaitAttached(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (attached) {
                return true;
            }
            Thread.sleep(20);
        }
        return attached;
    }

    private volatile boolean attached;

    private void drainErrors(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                // bpftrace 0.17 warns about address spaces and RLIMIT_MEMLOCK even when all is well
                if (!line.isBlank() && !line.contains("Addrspace") && !line.contains("RLIMIT_MEMLOCK")) {
                    LOG.warn("bpftrace: {}", line);
                }
            }
        } catch (IOException e) {
            // process gone
        }
    }

    /**
     * Stops bpftrace: SIGINT (it runs its END block and exits), and if it has not ended after the grace
     * period, SIGTERM and then SIGKILL, so {@link #run} always returns.
     */
    public void stop() {
        stopping = true;
        Process p = process;
        if (p != null) {
            stop(p);
        }
    }

    private void stop(Process p) {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        } catch (IOException e) {
            p.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
        }
        Thread escalate = new Thread(() -> escalate(p), "faultline-bpftrace-stop");
        escalate.setDaemon(true);
        escalate.start();
    }

    private void escalate(Process p) {
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("bpftrace (pid {}) did not exit {} ms after SIGINT; terminating it", p.pid(), graceMillis);
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    LOG.warn("bpftrace (pid {}) ignored SIGTERM; killing it", p.pid());
                    p.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
        }
    }
}
