package dev.faultline.analyser.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The guards a condition's top-level conjunction yields: boolean fields, negated ones, through macros. */
class ConditionGuardsTest {
    static final RuleSet RULES = RuleSet.load(Path.of("../rules"));

    @Test
    void shippedRulesYieldTheirBooleanConjuncts() {
        assertThat(RULES.rules().get("private-fault-emulated-mmio").condition().guards()).containsExactly(
                new Condition.Guard("vm.private_memory", true), new Condition.Guard("mmio.completes_read", false));
        // through the implicit_conversion macro; the != comparison is no guard
        assertThat(RULES.rules().get("implicit-conversion").condition().guards())
                .containsExactly(new Condition.Guard("vm.private_memory", true));
        assertThat(RULES.rules().get("private-fault-outside-gmem").condition().guards()).containsExactly(
                new Condition.Guard("fault.private", true), new Condition.Guard("vm.bindings_known", true),
                new Condition.Guard("slot.gmem_bound", false));
        // a disjunction at the top decides nothing on one field
        assertThat(RULES.rules().get("shared-access-to-private").condition().guards()).isEmpty();
    }
}
