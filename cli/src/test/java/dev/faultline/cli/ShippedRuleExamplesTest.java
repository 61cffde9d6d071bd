package dev.faultline.cli;

import dev.faultline.commandline.CapturedRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.analyser.rules.CelRule;
import dev.faultline.analyser.rules.Example;
import dev.faultline.analyser.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The build runs every example of every shipped rule, and `faultline rules test` itself. */
class ShippedRuleExamplesTest {
    static final Path RULES = Path.of("../rules");

    @TestFactory
    Stream<DynamicTest> everyExampleOfEveryShippedRule() {
        RuleSet rules = RuleSet.load(RULES);
        assertThat(rules.warnings()).as("every rule has examples that fire and that stay quiet").isEmpty();
        return rules.rules().values().stream().flatMap((CelRule r) -> r.examples().stream()
                .map((Example x) -> DynamicTest.dynamicTest(r.id() + ": " + x.name(), () -> {
                    RuleExamples.Result result = RuleExamples.run(rules, r.id(), x);
                    assertThat(result.problem()).as(x.where()).isNull();
                })));
    }

    @Test
    void rulesTestCommandPassesOnTheShippedRules() {
        CapturedRun run = CliTest.run("rules", "test", RULES.toString());
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("PASS private-fault-emulated-mmio").contains(" 0 failed");
    }

    @Test
    void aWrongExampleFailsTheCommand(@TempDir Path dir) throws Exception {
        for (Path f : Files.list(RULES).toList()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        Path rules = dir.resolve("private-memory.yaml");
        Files.writeString(rules, Files.readString(rules).replaceFirst("fires: 0", "fires: 2"));
        CapturedRun run = CliTest.run("rules", "test", dir.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL").contains("expected 2 alert(s), got 0").contains(" 1 failed");
    }

    @Test
    void validateReportsLoadErrors(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), "- rule: x\n  desc: d\n  condition: evt.nope\n  output: o\n  priority: info\n");
        CapturedRun run = CliTest.run("rules", "validate", dir.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("bad.yaml:3").contains("rule 'x'");
        assertThat(CliTest.run("rules", "validate", RULES.toString()).out()).contains("0 warning(s)");
    }
}
