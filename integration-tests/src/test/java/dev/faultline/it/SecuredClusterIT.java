package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.kafka.SaslSslListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's "Run against an existing Kafka cluster", done for real: a broker with a SASL_SSL
 * listener (TLS, SCRAM-SHA-512) and ACL authorisation; the users, the ACLs and the client properties
 * are taken from that section; the collector and an analyser from the unpacked archive talk to it only
 * through that listener, and the demo scenario's two alerts come out. Always on the in-process broker,
 * whatever -Dkafka.backend says: the test sets up the broker's listeners itself.
 */
class SecuredClusterIT {
    private static final Path GUIDE = Path.of("../docs/operations.md");
    private static final String SECRET = "s3cret-" + Long.toHexString(System.nanoTime());
    private static final String STORE_PASSWORD = "changeit-" + Long.toHexString(System.nanoTime());

    @Test
    void collectorAndAnalyserWorkThroughSaslSslWithTheReadmesAcls(@TempDir Path dir) throws Exception {
        String section = readmeSection("## Run against an existing Kafka cluster");
        Path keyStore = dir.resolve("broker.p12");
        Path trustStore = dir.resolve("truststore.p12");
        makeTlsStores(dir, keyStore, trustStore);

        try (EmbeddedKafka kafka = EmbeddedKafka.startSecured(SaslSslListener.onFreePort(keyStore, STORE_PASSWORD));
                Admin admin = kafka.admin()) {
            admin.alterUserScramCredentials(List.of(scramUser("faultline-collector"), scramUser("faultline-analyser")))
                    .all().get();
            List<AclBinding> acls = aclsFrom(section);
            assertThat(acls).as("ACLs in docs/operations.md").hasSizeGreaterThanOrEqualTo(8);
            admin.createAcls(acls).all().get();

            Path home = Distribution.unpack(Files.createDirectories(dir.resolve("install")));
            Path collectorProps = clientProperties(section, "faultline-collector", SECRET, trustStore, dir);
            Path analyserProps = clientProperties(section, "faultline-analyser", SECRET, trustStore, dir);
            Path sinks = Files.writeString(dir.resolve("sinks.yaml"), "- sink: log\n");
            int port = freePort();
            String secured = kafka.securedBootstrapServers();

            // The collector's principal may only write events: an analyser running as it must stop and say why.
            Path refusedLog = dir.resolve("refused-analyser.log");
            Process refused = analyse(home, secured, collectorProps, sinks, freePort(), dir.resolve("refused-streams"))
                    .redirectOutput(refusedLog.toFile()).start();
            assertThat(refused.waitFor(120, TimeUnit.SECONDS)).as("analyser without ACLs exits").isTrue();
            assertThat(refused.exitValue()).as(Files.readString(refusedLog)).isEqualTo(3);
            Files.readString(refusedLog).lines().filter(l -> l.startsWith("faultline analyse")).forEach(System.out::println);
            assertThat(Files.readString(refusedLog)).containsPattern("stopped: Kafka Streams failed: \\w*AuthorizationException");

            Path analyserLog = dir.resolve("analyser.log");
            Process analyser = analyse(home, secured, analyserProps, sinks, port, dir.resolve("streams"))
                    .redirectOutput(analyserLog.toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                Awaitility.await("analyser /ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> analyser.isAlive() && status(http, port, "/ready") == 200);

                Process badPassword = collect(home, secured,
                        clientProperties(section, "faultline-collector", "wrong", trustStore, dir.resolve("bad")));
                String badLogin = new String(badPassword.getInputStream().readAllBytes());
                assertThat(badPassword.waitFor(180, TimeUnit.SECONDS)).isTrue();
                assertThat(badPassword.exitValue()).as(badLogin).isNotZero();
                assertThat(badLogin).contains("Authentication failed");

                Process collector = collect(home, secured, collectorProps);
                String collected = new String(collector.getInputStream().readAllBytes());
                assertThat(collector.waitFor(180, TimeUnit.SECONDS)).isTrue();
                assertThat(collector.exitValue()).as(collected).isZero();
                assertThat(collected).containsPattern("produced to faultline.events: [1-9][0-9]*, failed: 0");

                Awaitility.await("both alerts through the log sink").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(Files.readString(analyserLog))
                                .contains("private-fault-emulated-mmio").contains("gmem-invalidation-outside-binding"));
                assertThat(get(http, port, "/api/vms")).contains("private-fault-emulated-mmio")
                        .contains("gmem-invalidation-outside-binding");
            } finally {
                analyser.destroy();
                analyser.waitFor(60, TimeUnit.SECONDS);
                System.out.println("--- analyser output ---\n" + Files.readString(analyserLog));
            }
            assertThat(Files.readString(analyserLog)).doesNotContain("TopicAuthorizationException")
                    .doesNotContain("GroupAuthorizationException").doesNotContain("TransactionalIdAuthorizationException");
        }
    }

    private static ProcessBuilder analyse(Path home, String bootstrap, Path properties, Path sinks, int port, Path state) {
        return new ProcessBuilder(home.resolve("bin/faultline").toString(), "analyse",
                "--bootstrap-servers", bootstrap, "--kafka-config", properties.toString(),
                "-X", "replication.factor=1", // one broker here; the guide says 3
                "--application-server", "127.0.0.1:" + port, "--http-port", String.valueOf(port),
                "--sinks", sinks.toString(), "--state-dir", state.toString(), "--rules", home.resolve("rules").toString())
                .redirectErrorStream(true);
    }

    private static Process collect(Path home, String bootstrap, Path properties) throws IOException {
        return new ProcessBuilder(home.resolve("bin/faultline").toString(), "collect",
                "--source", "replay:" + home.resolve("scenarios/demo-snp.trace"),
                "--bootstrap-servers", bootstrap, "--kafka-config", properties.toString(),
                "-X", "delivery.timeout.ms=30000", "-X", "request.timeout.ms=10000")
                .redirectErrorStream(true).start();
    }

    private static String readmeSection(String heading) throws IOException {
        String readme = Files.readString(GUIDE);
        int start = readme.indexOf(heading);
        assertThat(start).as("docs/operations.md section " + heading).isNotNegative();
        int end = readme.indexOf("\n## ", start + heading.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** Every {@code kafka-acls.sh --add} line of the section, as the bindings it would create. */
    static List<AclBinding> aclsFrom(String section) {
        List<AclBinding> out = new ArrayList<>();
        for (String line : section.lines().map(String::trim).filter(l -> l.startsWith("kafka-acls.sh")).toList()) {
            String[] t = line.split("\\s+");
            String principal = null;
            PatternType pattern = PatternType.LITERAL;
            List<AclOperation> ops = new ArrayList<>();
            List<ResourcePattern> resources = new ArrayList<>();
            List<String[]> named = new ArrayList<>();
            for (int i = 1; i < t.length - 1; i++) {
                switch (t[i]) {
                    case "--allow-principal" -> principal = t[++i];
                    case "--operation" -> ops.add(AclOperation.fromString(t[++i].toUpperCase(java.util.Locale.ROOT)));
                    case "--resource-pattern-type" -> pattern = PatternType.fromString(t[++i].toUpperCase(java.util.Locale.ROOT));
                    case "--topic", "--group", "--transactional-id" -> named.add(new String[] {t[i], t[++i]});
                    default -> { }
                }
            }
            for (String[] n : named) {
                ResourceType type = switch (n[0]) {
                    case "--topic" -> ResourceType.TOPIC;
                    case "--group" -> ResourceType.GROUP;
                    default -> ResourceType.TRANSACTIONAL_ID;
                };
                resources.add(new ResourcePattern(type, n[1], pattern));
            }
            assertThat(principal).as(line).isNotNull();
            assertThat(pattern).as(line).isNotEqualTo(PatternType.UNKNOWN);
            assertThat(ops).as(line).isNotEmpty().doesNotContain(AclOperation.UNKNOWN);
            for (ResourcePattern r : resources) {
                for (AclOperation op : ops) {
                    out.add(new AclBinding(r, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
                }
            }
        }
        return out;
    }

    /** The section's client properties block for one user, with this test's secret and trust store. */
    private static Path clientProperties(String section, String user, String password, Path trustStore, Path dir)
            throws IOException {
        Matcher m = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(m.find()).as("a properties block in the docs/operations.md section").isTrue();
        String props = m.group(1).lines().map(String::trim)
                .map(l -> l.replace("username=\"faultline-collector\"", "username=\"" + user + "\"")
                        .replace("password=\"...\"", "password=\"" + password + "\""))
                .map(l -> l.startsWith("ssl.truststore.location=") ? "ssl.truststore.location=" + trustStore : l)
                .map(l -> l.startsWith("ssl.truststore.password=") ? "ssl.truststore.password=" + STORE_PASSWORD : l)
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(props).contains("security.protocol=SASL_SSL").contains("username=\"" + user + "\"");
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(user + ".properties"), props);
    }

    private static UserScramCredentialUpsertion scramUser(String name) {
        return new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), SECRET);
    }

    /** A self-signed broker certificate for 127.0.0.1 and a trust store holding it, made with the JDK's keytool. */
    private static void makeTlsStores(Path dir, Path keyStore, Path trustStore) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path cert = dir.resolve("broker.pem");
        run(dir, keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        run(dir, keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString());
        run(dir, keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String get(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
