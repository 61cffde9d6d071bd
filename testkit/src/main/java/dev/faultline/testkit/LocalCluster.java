package dev.faultline.testkit;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.kafka.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Several analyser instances on one real in-process broker, each with its own state directory and
 * query API, advertising that API as its application.server: how a multi-instance deployment
 * answers queries, on one machine. For the routing tests and {@code faultline bench queries}.
 */
public final class LocalCluster implements AutoCloseable {
    /** One analyser instance and its API. */
    public record Instance(AnalyserApp app, ApiServer api, int port, Path stateDir) {
        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final KafkaCluster kafka;
    private final List<Instance> instances = new ArrayList<>();

    private LocalCluster(KafkaCluster kafka) {
        this.kafka = kafka;
    }

    /** An in-process broker and {@code n} analyser instances, each RUNNING and serving its API on loopback. */
    public static LocalCluster start(int n, RuleSet rules) {
        return start(EmbeddedKafka.start(), n, rules);
    }

    /** The same on a given cluster, which this closes with itself. */
    public static LocalCluster start(KafkaCluster kafka, int n, RuleSet rules) {
        LocalCluster c = new LocalCluster(kafka);
        try {
            for (int i = 0; i < n; i++) {
                c.instances.add(c.startInstance(rules));
            }
            c.awaitRunning(Duration.ofSeconds(90));
            return c;
        } catch (RuntimeException | IOException e) {
            c.close();
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    private Instance startInstance(RuleSet rules) throws IOException {
        int port = freePort(); // chosen first: the instance advertises it before its API is up
        Path stateDir = Files.createTempDirectory("faultline-instance");
        AnalyserApp app = new AnalyserApp(kafka.bootstrapServers(), stateDir, rules,
                Map.of("application.server", "127.0.0.1:" + port));
        app.start();
        ApiServer api = new ApiServer(new Sources(app.queries(), () -> rules, List::of, null), "127.0.0.1", port, null);
        return new Instance(app, api, port, stateDir);
    }

    public List<Instance> instances() {
        return instances;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Replays a trace as if collected on {@code host}. */
    public void replay(String file, String host) throws IOException {
        LocalPipeline.replay(kafka.bootstrapServers(), file, host);
    }

    /** Waits until the instances together have committed every event. */
    public void awaitProcessed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = kafka.admin()) {
            while (!committedAll(admin)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the analyser instances did not catch up within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean committedAll(Admin admin) throws InterruptedException {
        try {
            return LocalPipeline.analyserCommittedAll(admin);
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Waits until every instance not stopped on purpose is RUNNING (after a start or a member leaving). */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Instance i : instances) {
            if (i.app().state() != KafkaStreams.State.NOT_RUNNING) {
                LocalPipeline.awaitRunning(i.app(), deadline);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Instance i : instances) {
            i.api().close();
            i.app().close();
            LocalPipeline.deleteTree(i.stateDir());
        }
        kafka.close();
    }
}
