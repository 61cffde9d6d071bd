package dev.faultline.analyser.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import dev.faultline.events.Topics;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline analyser (the processor over live objects in memory) finds exactly what the streaming
 * topology finds (the same processor over RocksDB stores, every value through its serde, every record
 * through Avro): a simulated trace of every VM type with every rule's violation injected, alert for alert.
 */
class OfflineMatchesTopologyTest {

    @Test
    void sameAlertsAsTheTopologyInTheTestDriver(@TempDir Path state) {
        RuleSet rules = RuleSet.load(Traces.RULES);
        List<String> lines = new ArrayList<>();
        new Simulator(new SimulationConfig(5, 6, List.of(VmKind.values()), 20_000, 0,
                new LinkedHashSet<>(rules.rules().keySet()))).run(lines::add);
        List<Event> events = Traces.events(lines);

        List<Alert> offline = Traces.analyse(rules, events);

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "faultline-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        List<Alert> streamed;
        try (TopologyTestDriver driver = new TopologyTestDriver(AnalyserTopology.build(() -> rules), p, Instant.EPOCH)) {
            TestInputTopic<String, Event> in = driver.createInputTopic(Topics.EVENTS, Serdes.String().serializer(),
                    AvroSerde.events().serializer());
            TestOutputTopic<String, Alert> out = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(),
                    AvroSerde.alerts().deserializer());
            events.forEach(e -> in.pipeInput(e.getHeader().getVm(), e, e.getHeader().getWallTsMs()));
            driver.advanceWallClockTime(Duration.ofMillis(AnalyserTopology.DEFAULT_FOLD_WINDOW_MS + 1000));
            streamed = out.readValuesToList();
        }
        assertThat(offline.stream().map(Alert::getRule).distinct()).as("the injected violations were found")
                .hasSizeGreaterThan(10);
        assertThat(offline).isEqualTo(streamed);
    }
}
