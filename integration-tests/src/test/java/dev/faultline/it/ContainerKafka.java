package dev.faultline.it;

import dev.faultline.kafka.KafkaCluster;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka in a container (Testcontainers, KRaft): the integration tests' cluster with
 * {@code -Dkafka.backend=testcontainers}. The image is apache/kafka, or with {@code -Dkafka.image} one that keeps
 * its contract: CI runs the stand-in that docker/images.sh builds from Maven Central's jars, as no registry is
 * reachable there. An outage pauses the container, so the broker keeps its address and data, as a network
 * partition would.
 */
final class ContainerKafka implements KafkaCluster {
    static final String IMAGE = System.getProperty("kafka.image", "apache/kafka:4.3.1");

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafka start() {
        DockerEngine.require();
        DockerEngine.useEngineApiVersion();
        DockerEngine.ensureLocalImage(IMAGE);
        KafkaContainer c = new KafkaContainer(DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("apache/kafka"));
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
