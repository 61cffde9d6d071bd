package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The analyser topology run in-process without a broker (Kafka Streams' test driver), for
 * {@code faultline check} and unit tests: the same processors, stores (RocksDB in a temp dir)
 * and rules as the streaming app, fed one event at a time.
 */
public final class OfflineAnalyser implements AutoCloseable {
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, Event> events;
    private final TestOutputTopic<String, Alert> alerts;

    public OfflineAnalyser(RuleSet rules) {
        try {
            this.stateDir = Files.createTempDirectory("faultline-check");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "faultline-check");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        this.driver = new TopologyTestDriver(AnalyserTopology.build(() -> rules), p, Instant.EPOCH);
        this.events = driver.createInputTopic(Topics.EVENTS, Serdes.String().serializer(), AvroSerde.events().serializer());
        this.alerts = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(), AvroSerde.alerts().deserializer());
    }

    public void process(Event e) {
        events.pipeInput(e.getHeader().getVm(), e, e.getHeader().getWallTsMs());
    }

    /**
     * Alerts produced since the last call, in order. The input so far is treated as complete:
     * the fold windows are closed, so repeats come out as one alert with its count.
     */
    public List<Alert> drainAlerts() {
        driver.advanceWallClockTime(Duration.ofMillis(AnalyserTopology.DEFAULT_FOLD_WINDOW_MS + 1000));
        return new ArrayList<>(alerts.readValuesToList());
    }

    /** Entries in one of the topology's key-value stores: what the state costs, for reports and tests. */
    public long storeEntries(String store) {
        long n = 0;
        try (var it = driver.getKeyValueStore(store).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        driver.close();
        try (Stream<Path> s = Files.walk(stateDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
