package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.CelRule;
import dev.faultline.analyser.rules.Example;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.testkit.LocalPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule id end to end: each example trace of every shipped rule (exact kernel formats and
 * faultline_* lines) is replayed as its own host through collector → real broker → Kafka Streams
 * analyser with every rule on, and must raise exactly the alerts of its rule it expects.
 */
class RuleScenariosIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyRuleFiresInItsScenariosOnTheRealBroker(@TempDir Path tmp) throws Exception {
        RuleSet rules = RuleSet.load(ROOT.resolve("rules"));
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        Map<String, String> hostToRule = new LinkedHashMap<>();
        Map<String, Example> hostToExample = new LinkedHashMap<>();
        try (LocalPipeline pipeline = TestKafka.pipeline(rules, alerts::add)) {
            int n = 0;
            for (CelRule rule : rules.rules().values()) {
                for (Example x : rule.examples()) {
                    String host = "scenario-" + (n++);
                    Path trace = Files.writeString(tmp.resolve(host + ".trace"), x.trace());
                    pipeline.replay(trace.toString(), host);
                    hostToRule.put(host, rule.id());
                    hostToExample.put(host, x);
                }
            }
            pipeline.awaitProcessed(Duration.ofSeconds(180));
        }
        List<String> wrong = new ArrayList<>();
        hostToRule.forEach((host, rule) -> {
            long got = AlertFolder.latestPerId(alerts).stream()
                    .filter(a -> a.getHost().equals(host) && a.getRule().equals(rule)).count();
            Example x = hostToExample.get(host);
            if (got != x.fires()) {
                wrong.add(rule + " / " + x.name() + ": expected " + x.fires() + ", got " + got);
            }
        });
        assertThat(wrong).as("scenarios whose rule raised the wrong number of alerts").isEmpty();
        assertThat(hostToRule.values()).as("every shipped rule has scenarios").containsAll(rules.rules().keySet());
        assertThat(rules.rules()).hasSizeGreaterThanOrEqualTo(16);
    }
}
