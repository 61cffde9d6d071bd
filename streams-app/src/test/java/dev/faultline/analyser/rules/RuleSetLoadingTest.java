package dev.faultline.analyser.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.host.HostFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading errors name the file, the line and the rule, and say what is wrong. */
class RuleSetLoadingTest {
    @TempDir
    Path dir;

    static final String OK_RULE = """
            - rule: r1
              desc: d
              condition: evt.type == "Mmio" && evt.gpa == 0x1000u
              output: "mmio at %evt.gpa"
              priority: warning
            """;

    RuleSet load(String yaml) throws IOException {
        Files.writeString(dir.resolve("a.yaml"), yaml);
        return RuleSet.load(dir);
    }

    void refused(String yaml, String... says) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(RuleFileException.class).satisfies(e -> {
            assertThat(e.getMessage()).contains(dir.resolve("a.yaml").toString());
            for (String s : says) {
                assertThat(e.getMessage()).contains(s);
            }
        });
    }

    @Test
    void aGoodRuleLoads() throws IOException {
        RuleSet s = load(OK_RULE);
        assertThat(s.enabled()).extracting(Rule::id).containsExactly("r1");
        assertThat(s.warnings()).singleElement().asString().contains("needs examples");
    }

    @Test
    void unknownFieldIsAnErrorWithItsPosition() {
        refused(OK_RULE.replace("evt.gpa == 0x1000u", "evt.gppa == 0x1000u"), "a.yaml:3:", "rule 'r1'", "condition", "evt");
    }

    @Test
    void intLiteralAgainstAUintIsRefused() {
        refused(OK_RULE.replace("0x1000u", "0x1000"), "rule 'r1'", "uint");
    }

    /** rules/README: ordering compares numbers across int and uint (CEL's heterogeneous comparison); equality does not load. */
    @Test
    void orderingAcrossIntAndUintLoads() throws IOException {
        assertThat(load(OK_RULE.replace("evt.gpa == 0x1000u", "evt.gpa > 4096")).enabled()).hasSize(1);
    }

    /** A mistyped --rules path must not turn detection off quietly. */
    @Test
    void aDirectoryWithoutRulesIsRefused() throws IOException {
        assertThatThrownBy(() -> RuleSet.load(dir)).isInstanceOf(RuleFileException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("no rule files");
        Files.writeString(dir.resolve("notes.txt"), "not a rule file");
        assertThatThrownBy(() -> RuleSet.load(dir)).hasMessageContaining("no rule files");
        refused("- macro: m\n  condition: evt.type == \"Mmio\"\n", "define no rule");
    }

    /** Ids name alerts and store keys (AlertFolder's budget keys start with '#'): a plain word, or a load error. */
    @Test
    void ruleIdsAreWords() {
        refused(OK_RULE.replace("rule: r1", "rule: \"#excess\""), "a.yaml:1", "an id is letters");
        refused(OK_RULE.replace("rule: r1", "rule: \"a|b\""), "an id is letters");
    }

    @Test
    void unknownKeyAndBadPriority() {
        refused(OK_RULE + "  severity: high\n", "unknown key 'severity'");
        refused(OK_RULE.replace("warning", "loud"), "a.yaml:5", "priority 'loud'");
    }

    @Test
    void requiresNamesHostFeatures() throws IOException {
        RuleSet s = load(OK_RULE + "  requires: [guest_memfd, private_vm]\n");
        assertThat(s.meta("r1").requires()).containsExactlyInAnyOrder(HostFeature.GUEST_MEMFD, HostFeature.PRIVATE_VM);
        assertThat(load(OK_RULE).meta("r1").requires()).isEmpty();
        refused(OK_RULE + "  requires: [guest_memfd, gmem]\n", "a.yaml:6", "rule 'r1'", "requires 'gmem' is not a host feature",
                "guest_memfd, memory_attributes");
        refused(OK_RULE + "  requires: guest_memfd\n", "a.yaml:6", "expected a list");
    }

    @Test
    void outputFieldsAreChecked() {
        refused(OK_RULE.replace("%evt.gpa", "%evt.nope"), "output uses unknown field %evt.nope");
    }

    @Test
    void duplicatesAndMissingParts() {
        refused(OK_RULE + OK_RULE, "rule 'r1' is already defined");
        refused(OK_RULE.replace("  desc: d\n", ""), "'desc' is required");
        refused("- rule: r\n  desc: d\n  condition: true\n  output: o\n  priority: info\n  examples:\n"
                + "    - name: e\n      setup: nope\n      fires: 0\n      trace: x\n", "no setup named 'nope'");
        refused("- frobnicate: x\n", "one of rule, macro, list, setup");
        refused("rule: x\n", "a list of entries");
        refused("- rule: r\n  desc: [unclosed\n", "not valid YAML");
    }

    @Test
    void macrosAndListsExpand() throws IOException {
        RuleSet s = load("""
                - list: mmio_kinds
                  items: [WRITE, READ]
                - macro: is_mmio
                  condition: evt.type == "Mmio" && evt.kind in mmio_kinds
                - macro: unused_macro
                  condition: "true"
                """ + OK_RULE.replace("evt.type == \"Mmio\"", "is_mmio"));
        assertThat(s.enabled()).hasSize(1);
        assertThat(s.warnings()).anyMatch(w -> w.contains("macro 'unused_macro' is not used"));
    }

    @Test
    void macroCycleAndBadMacro() {
        refused("""
                - macro: a
                  condition: b
                - macro: b
                  condition: a
                """, "cycle");
        refused("""
                - macro: m
                  condition: evt.gpa > 1u &&
                """, "macro 'm'");
        refused("""
                - macro: evt.type
                  condition: "true"
                """, "field name");
    }

    @Test
    void disabledRulesAreCompiledButDoNotRun() throws IOException {
        RuleSet s = load(OK_RULE + "  enabled: false\n");
        assertThat(s.enabled()).isEmpty();
        assertThat(s.rules()).containsKey("r1");
        assertThat(s.only("r1").enabled()).hasSize(1);
    }

    @Test
    void theShippedRulesLoadWithoutWarnings() {
        RuleSet s = RuleSet.load(Path.of("../rules"));
        assertThat(s.enabled()).extracting(Rule::id)
                .contains("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
        assertThat(s.warnings()).isEmpty();
    }
}
