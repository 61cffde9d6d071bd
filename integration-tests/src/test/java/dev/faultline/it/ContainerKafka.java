package dev.faultline.it;

import dev.faultline.kafka.KafkaCluster;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka in a container (Testcontainers, the apache/kafka image, KRaft): the integration tests'
 * cluster where a Docker engine exists ({@code -Dkafka.backend=testcontainers}). An outage pauses the
 * container, so the broker keeps its address and data, as a network partition would.
 */
final class ContainerKafka implements KafkaCluster {
    static final String IMAGE = System.getProperty("kafka.image", "apache/kafka:4.3.1");

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafka start() {
        KafkaContainer c = new KafkaContainer(IMAGE);
        c.start();
        ContainerKafka k = new ContainerKafka(c);
        k.createTopics(FAULTLINE_TOPICS);
        return k;
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void stopServer() {
        container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void startServer() {
        container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void close() {
        container.stop();
    }
}
