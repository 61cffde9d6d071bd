package dev.faultline.analyser.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.Condition;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over a simulated trace of every VM type with every rule's violation injected, each rule expression's
 * direct evaluation equals cel-java's on every event it is asked about (verifying mode stops the analyser
 * at the first difference), and the alerts are those of an analyser that runs CEL alone would give.
 */
class DirectMatchesCelTest {

    @AfterEach
    void back() {
        Condition.verifying(Boolean.getBoolean("faultline.rules.verify"));
    }

    @Test
    void everyEvaluationOfAWholeTraceAgreesWithCel() {
        RuleSet rules = RuleSet.load(Traces.RULES);
        List<String> lines = new ArrayList<>();
        new Simulator(new SimulationConfig(7, 6, List.of(VmKind.values()), 20_000, 0,
                new LinkedHashSet<>(rules.rules().keySet()))).run(lines::add);
        Condition.verifying(true);
        List<Alert> alerts = Traces.analyse(rules, Traces.events(lines));
        assertThat(alerts.stream().map(Alert::getRule).distinct()).as("the injected violations were found")
                .hasSizeGreaterThan(10);
    }
}
