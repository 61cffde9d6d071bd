package dev.faultline.kafka;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A SASL_SSL listener for {@link EmbeddedKafka}: TLS with a PKCS12 key store, SCRAM-SHA-512 logins
 * (users are added with the Admin API), and the KRaft {@code StandardAuthorizer}, so a client needs
 * the ACLs a production cluster would ask of it.
 */
public record SaslSslListener(int port, Path keyStore, String keyStorePassword) {

    public static SaslSslListener onFreePort(Path keyStore, String keyStorePassword) {
        return new SaslSslListener(EmbeddedKafka.freePort(), keyStore, keyStorePassword);
    }

    void addTo(Properties p) {
        String address = "SASL_SSL://127.0.0.1:" + port;
        p.put("listeners", p.getProperty("listeners") + "," + address);
        p.put("advertised.listeners", p.getProperty("advertised.listeners") + "," + address);
        p.put("listener.security.protocol.map", p.getProperty("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
        String l = "listener.name.sasl_ssl.";
        p.put(l + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put(l + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put(l + "ssl.keystore.type", "PKCS12");
        p.put(l + "ssl.keystore.location", keyStore.toString());
        p.put(l + "ssl.keystore.password", keyStorePassword);
        p.put(l + "ssl.key.password", keyStorePassword);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The plaintext and controller listeners authenticate nobody: they are the set-up path.
        p.put("super.users", "User:ANONYMOUS");
    }
}
