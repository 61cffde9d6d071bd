package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.cli.Faultline;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.collector.stats.CollectorStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's traffic through the real broker with every rule on: a long mixed benign run of
 * every VM type raises nothing; with every rule id injected, every rule id alerts.
 */
class SimulatedTrafficIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void longMixedBenignTrafficRaisesNothing(@TempDir Path tmp) throws Exception {
        Path trace = tmp.resolve("benign.trace");
        assertThat(Faultline.run("collect", "--source", "simulate", "--seed", "11", "--vms", "6", "--events", "25000",
                "--write-trace", trace.toString(), "--output", "jsonl", "--host", "x")).isZero();
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        try (LocalPipeline p = TestKafka.pipeline(RuleSet.load(ROOT.resolve("rules")), alerts::add)) {
            CollectorStats stats = p.replay(trace.toString(), "benign");
            p.awaitProcessed(Duration.ofSeconds(300));
            assertThat(stats.totalEvents()).isGreaterThan(40_000);
        }
        assertThat(alerts).extracting(Alert::getRule).isEmpty();
    }

    @Test
    void everyInjectedRuleAlerts(@TempDir Path tmp) throws Exception {
        RuleSet rules = RuleSet.load(ROOT.resolve("rules"));
        Path trace = tmp.resolve("injected.trace");
        assertThat(Faultline.run("collect", "--source", "simulate", "--seed", "12", "--vms", "6", "--events", "3000",
                "--inject", String.join(",", rules.rules().keySet()), "--write-trace", trace.toString(),
                "--output", "jsonl", "--host", "x")).isZero();
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        try (LocalPipeline p = TestKafka.pipeline(rules, alerts::add)) {
            p.replay(trace.toString(), "injected");
            p.awaitProcessed(Duration.ofSeconds(300));
        }
        assertThat(AlertFolder.latestPerId(alerts)).extracting(Alert::getRule)
                .containsAll(rules.rules().keySet());
    }
}
