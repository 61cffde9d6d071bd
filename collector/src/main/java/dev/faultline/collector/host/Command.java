package dev.faultline.collector.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A short external command the probe runs (bpftrace, mount): its exit code and what it printed. */
record Command(int exit, String output) {

    /** Runs it with stderr folded into the output; a command that overruns the timeout is killed and answers -1. */
    static Command run(long timeoutSeconds, String... args) {
        try {
            Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // read beside the wait, so a command that hangs with its output open still times out
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Command(-1, String.join(" ", args) + ": no answer in " + timeoutSeconds + " s");
            }
            return new Command(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip());
        } catch (IOException | ExecutionException | TimeoutException e) {
            return new Command(-1, String.join(" ", args) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Command(-1, String.join(" ", args) + ": interrupted");
        }
    }

    boolean succeeded() {
        return exit == 0;
    }
}
