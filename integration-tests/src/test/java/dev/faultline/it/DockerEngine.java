package dev.faultline.it;

import dev.faultline.collector.source.tracefs.KernelFeatures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The local Docker engine the container tests run on (Debian's docker.io; .ci/run starts dockerd). Where none
 * answers, a test is skipped loudly; under CI it fails, because CI starts one.
 */
final class DockerEngine {
    /** Debian's client, which speaks its engine's API; a newer client earlier on PATH may not. */
    static final Path DOCKER = Path.of("/usr/bin/docker");
    static final Path COMPOSE = Path.of("/usr/bin/docker-compose");

    private DockerEngine() {
    }

    static void require() {
        KernelFeatures.requireTool(Files.isExecutable(DOCKER) && answers(),
                "a running Docker engine (apt-get install docker.io; .ci/run starts dockerd)");
    }

    static void requireCompose() {
        require();
        KernelFeatures.requireTool(Files.isExecutable(COMPOSE), "docker-compose (apt-get install docker-compose)");
    }

    /**
     * Has Testcontainers' client speak the engine's own API version, as the docker CLI negotiates it:
     * Testcontainers 2.0.2 asks for 1.44, which Debian bookworm's engine (20.10, at most 1.41) refuses.
     */
    static void useEngineApiVersion() {
        if (System.getProperty("api.version") != null || System.getenv("DOCKER_API_VERSION") != null) {
            return;
        }
        try {
            Process p = new ProcessBuilder(DOCKER.toString(), "version", "--format", "{{.Server.APIVersion}}").start();
            String version = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && version.matches("\\d+\\.\\d+")) {
                System.setProperty("api.version", version);
            }
        } catch (Exception e) {
            // Testcontainers' default stays, and says why it cannot connect
        }
    }

    /**
     * Makes the images docker/images.sh builds (the Kafka stand-in among them) when {@code image} is one of
     * them and the engine lacks it, so {@code mvn verify} needs no step before it.
     */
    static void ensureLocalImage(String image) {
        if (!image.startsWith("faultline/") || run(DOCKER.toString(), "image", "inspect", image) == 0) {
            return;
        }
        Path log = Path.of("target/images-base.log").toAbsolutePath();
        try {
            Process p = new ProcessBuilder(Path.of("../docker/images.sh").toAbsolutePath().toString(), "--base-only")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("docker/images.sh --base-only could not make " + image + ": " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean answers() {
        try {
            Process p = new ProcessBuilder(DOCKER.toString(), "info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
