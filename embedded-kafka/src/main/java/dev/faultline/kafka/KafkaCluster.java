package dev.faultline.kafka;

import dev.faultline.events.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A Kafka cluster the local pipeline and the integration tests run against: the in-process broker
 * ({@link EmbeddedKafka}) here, or a container where Docker exists. Outage tests take it away and
 * bring it back.
 */
public interface KafkaCluster extends AutoCloseable {
    /** Topics and partition counts: events spread VMs over partitions; alerts are fewer. */
    Map<String, Integer> FAULTLINE_TOPICS = Topics.PARTITIONS;

    String bootstrapServers();

    /** Makes the cluster unreachable, keeping its data. */
    void stopServer();

    /** Makes it reachable again, at the same address and with the same data. */
    void startServer();

    @Override
    void close();

    default Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates the topics (replication 1) unless they exist. */
    default void createTopics(Map<String, Integer> topics) {
        try (Admin admin = admin()) {
            List<NewTopic> news = topics.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList();
            try {
                admin.createTopics(news).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topics " + topics.keySet() + ": " + e.getCause(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
