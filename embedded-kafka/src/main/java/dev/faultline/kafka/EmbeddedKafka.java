package dev.faultline.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka 4 broker (KRaft, combined broker + controller) in this JVM, on
 * loopback: what the demo and the integration tests run against where no cluster is given.
 * Its log directory is formatted on first start; a stopped broker can start again on the same
 * ports and data (for outage tests).
 */
public final class EmbeddedKafka implements KafkaCluster {

    private final Path dir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final SaslSslListener secured;
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;
    private boolean formatted;

    private EmbeddedKafka(Path dir, boolean deleteOnClose, SaslSslListener secured) {
        this.dir = dir;
        this.deleteOnClose = deleteOnClose;
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        this.secured = secured;
    }

    /** Starts a broker with its data in a fresh temp dir (deleted on close) and creates the Faultline topics. */
    public static EmbeddedKafka start() {
        return start(null);
    }

    /**
     * The same broker with a second, SASL_SSL listener whose clients are authorised by ACLs (what a
     * production cluster looks like to Faultline). The plaintext listener stays for setting up users and
     * ACLs; its clients are super users.
     */
    public static EmbeddedKafka startSecured(SaslSslListener listener) {
        return start(listener);
    }

    private static EmbeddedKafka start(SaslSslListener secured) {
        try {
            EmbeddedKafka k = new EmbeddedKafka(Files.createTempDirectory("faultline-kafka"), true, secured);
            k.startServer();
            k.createTopics(FAULTLINE_TOPICS);
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The SASL_SSL listener's address; only for a broker from {@link #startSecured}. */
    public String securedBootstrapServers() {
        if (secured == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return "127.0.0.1:" + secured.port();
    }

    /** (Re)starts the broker on the same ports and data. */
    @Override
    public synchronized void startServer() {
        if (server != null) {
            return;
        }
        Properties p = config();
        if (!formatted) {
            format(p);
            formatted = true;
        }
        server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
    }

    /** Stops the broker, keeping its data (for outage tests); {@link #startServer()} brings it back. */
    @Override
    public synchronized void stopServer() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    private Properties config() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        if (secured != null) {
            secured.addTo(p);
        }
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "3");
        return p;
    }

    private void format(Properties p) {
        try {
            Formatter f = new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setNodeId(1)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(p.getProperty("log.dirs")))
                    .setMetadataLogDirectory(p.getProperty("log.dirs"))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER");
            f.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format KRaft log dir " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                Set<Integer> nodes = admin.describeCluster().nodes().get().stream().map(n -> n.id()).collect(Collectors.toSet());
                if (nodes.contains(1)) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("broker not ready after " + timeout, last);
    }

    @Override
    public void close() {
        stopServer();
        if (deleteOnClose) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temp dir is harmless
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
