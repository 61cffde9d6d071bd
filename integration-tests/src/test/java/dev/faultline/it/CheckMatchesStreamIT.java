package dev.faultline.it;

import static dev.faultline.it.AlertOracle.awaitCommitted;
import static dev.faultline.it.AlertOracle.awaitFoldWindows;
import static dev.faultline.it.AlertOracle.streamed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.kafka.KafkaCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code faultline check} and the streaming analyser on a real broker find the same things over the same
 * trace: a simulated 100k-event trace of every VM type with a violation of a rule in turn every 200 steps.
 * Compared per alert key (rule, VM, GFN range): the same keys, the same evidence of the first occurrence,
 * and the same number of occurrences (the stream may split a key's repeats over several fold windows, check
 * folds a whole trace into one). Once straight through, and once with the analyser stopped half-way and a
 * new one started on an empty state directory, so its state comes only from the changelogs, which the live
 * stores write through at each commit.
 */
class CheckMatchesStreamIT {
    private static final String HOST = "stream";
    private static final Duration CATCH_UP = Duration.ofMinutes(5);
    @TempDir
    static Path dir;
    static Path trace;
    static RuleSet rules;
    static Map<String, AlertOracle.Key> offline;

    @BeforeAll
    static void traceAndCheck() throws IOException {
        rules = RuleSet.load(Path.of("../rules"));
        trace = AlertOracle.simulatedTrace(dir.resolve(HOST + ".trace"), 23, 6, 50_000, rules.rules().keySet(), 200);
        offline = AlertOracle.check(trace);
        assertThat(offline.keySet().stream().map(k -> k.split("\\|")[0]).distinct()).as("the injected rules fire")
                .hasSizeGreaterThan(10);
    }

    @Test
    void theStreamFindsWhatCheckFinds() throws Exception {
        try (KafkaCluster kafka = TestKafka.start()) {
            LocalPipeline.replay(kafka.bootstrapServers(), trace.toString(), HOST);
            try (AnalyserApp analyser = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-straight"), rules, Map.of())) {
                analyser.start();
                awaitCommitted(kafka.bootstrapServers(), Long.MAX_VALUE, CATCH_UP);
                awaitFoldWindows();
            }
            assertThat(streamed(kafka.bootstrapServers())).isEqualTo(offline);
        }
    }

    @Test
    void aNewAnalyserHalfWayRestoresItsStateFromTheChangelogs() throws Exception {
        try (KafkaCluster kafka = TestKafka.start()) {
            long events = LocalPipeline.replay(kafka.bootstrapServers(), trace.toString(), HOST).totalEvents();
            try (AnalyserApp first = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-first"), rules, Map.of())) {
                first.start();
                awaitCommitted(kafka.bootstrapServers(), events / 2, CATCH_UP);
            }
            try (AnalyserApp second = new AnalyserApp(kafka.bootstrapServers(), dir.resolve("state-second"), rules, Map.of())) {
                second.start();
                awaitCommitted(kafka.bootstrapServers(), Long.MAX_VALUE, CATCH_UP);
                awaitFoldWindows();
            }
            assertThat(streamed(kafka.bootstrapServers())).isEqualTo(offline);
        }
    }
}
