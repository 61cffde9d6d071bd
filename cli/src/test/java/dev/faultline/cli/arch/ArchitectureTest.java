package dev.faultline.cli.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.PlantedAgainstTheFlow;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture, read from the bytecode of every production class (so a fully qualified name counts as
 * much as an import): no package depends on itself through others; the analyser's packages follow its data
 * (state → enrich → rules → alerts → sinks, queries over state, the topology wiring them); and the modules
 * depend one way (schemas below collector and streams-app, api above streams-app, the collector's command line
 * (commandline, commandline.collect) on the collector alone, testkit and bench above the pipeline, cli above everything).
 * The collector's own stages are held by CollectorPackagesTest. The planted cycle and the planted import
 * against the flow (test classes in dev.faultline.plantedcycle{a,b} and dev.faultline.analyser.state) show the
 * rules fail.
 */
class ArchitectureTest {
    static final JavaClasses PRODUCTION = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.faultline");

    /**
     * No cycles between modules' top packages (collector, analyser, api, cli, events, ...), nor between the
     * packages one level below (collector.parse, analyser.rules, ...). A stage's own sub-packages are its parts
     * and count as one (source.tracefs implements source's LineSource, which source's LiveSource composes).
     */
    static final List<ArchRule> NO_CYCLES = List.of(
            slices().matching("dev.faultline.(*)..").should().beFreeOfCycles(),
            slices().matching("dev.faultline.(*).(*)..").should().beFreeOfCycles());

    /** The analyser's data flow; api (queries over HTTP) and cli (commands) sit above it. */
    static final ArchRule ANALYSER_FLOW = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("state").definedBy("dev.faultline.analyser.state..")
            .layer("enrich").definedBy("dev.faultline.analyser.enrich..")
            .layer("rules").definedBy("dev.faultline.analyser.rules..")
            .layer("alerts").definedBy("dev.faultline.analyser.alerts..")
            .layer("sinks").definedBy("dev.faultline.analyser.sinks..")
            .layer("metrics").definedBy("dev.faultline.analyser.metrics..")
            .layer("query").definedBy("dev.faultline.analyser.query..")
            .layer("topology").definedBy("dev.faultline.analyser.topology..")
            .layer("above").definedBy("dev.faultline.api..", "dev.faultline.cli..", "dev.faultline.commandline..",
                    "dev.faultline.testkit..", "dev.faultline.bench..")
            .whereLayer("above").mayNotBeAccessedByAnyLayer()
            .whereLayer("topology").mayOnlyBeAccessedByLayers("above")
            .whereLayer("query").mayOnlyBeAccessedByLayers("topology", "above")
            .whereLayer("metrics").mayOnlyBeAccessedByLayers("topology", "above")
            .whereLayer("sinks").mayOnlyBeAccessedByLayers("metrics", "topology", "above")
            .whereLayer("alerts").mayOnlyBeAccessedByLayers("sinks", "topology", "above")
            .whereLayer("rules").mayOnlyBeAccessedByLayers("alerts", "sinks", "topology", "above")
            .whereLayer("enrich").mayOnlyBeAccessedByLayers("rules", "topology", "above")
            .whereLayer("state").mayOnlyBeAccessedByLayers("enrich", "rules", "query", "topology", "above");

    /** Above the collector and the analyser: commands, the in-process harness, the benchmarks. */
    static final String[] ABOVE = {"dev.faultline.cli..", "dev.faultline.commandline..", "dev.faultline.testkit..", "dev.faultline.bench.."};

    /** Modules one way: what a module must never reach. */
    static final List<ArchRule> MODULES = List.of(
            noClasses().that().resideInAPackage("dev.faultline.collector..").should().dependOnClassesThat()
                    .resideInAnyPackage(with(ABOVE, "dev.faultline.analyser..", "dev.faultline.api..", "dev.faultline.kafka..")),
            noClasses().that().resideInAPackage("dev.faultline.analyser..").should().dependOnClassesThat()
                    .resideInAnyPackage(with(ABOVE, "dev.faultline.collector..", "dev.faultline.api..", "dev.faultline.kafka..")),
            noClasses().that().resideInAPackage("dev.faultline.api..").should().dependOnClassesThat()
                    .resideInAnyPackage(with(ABOVE, "dev.faultline.collector..")),
            // the collector archive: what runs as root on every host reaches no broker, Streams, rule engine or web server
            noClasses().that().resideInAPackage("dev.faultline.commandline..").should()
                    .dependOnClassesThat().resideInAnyPackage("dev.faultline.cli..", "dev.faultline.testkit..", "dev.faultline.bench..",
                            "dev.faultline.analyser..", "dev.faultline.api..", "dev.faultline.kafka..", "org.apache.kafka.streams..",
                            "dev.cel..", "io.javalin..", "kafka..", "org.apache.kafka.server.."),
            noClasses().that().resideInAPackage("dev.faultline.testkit..").should().dependOnClassesThat()
                    .resideInAnyPackage("dev.faultline.cli..", "dev.faultline.bench.."),
            noClasses().that().resideInAPackage("dev.faultline.bench..").should().dependOnClassesThat()
                    .resideInAnyPackage("dev.faultline.cli.."),
            noClasses().that().resideInAnyPackage("dev.faultline.events..", "dev.faultline.alerts..", "dev.faultline.serde..",
                    "dev.faultline.host..").should().dependOnClassesThat().resideInAnyPackage("dev.faultline.collector..",
                    "dev.faultline.analyser..", "dev.faultline.api..", "dev.faultline.cli..", "dev.faultline.kafka.."));

    private static String[] with(String[] some, String... more) {
        return Stream.concat(Arrays.stream(some), Arrays.stream(more)).toArray(String[]::new);
    }

    @Test
    void everyModuleIsRead() {
        assertThat(PRODUCTION.stream().map(JavaClass::getPackageName).distinct())
                .contains("dev.faultline.events", "dev.faultline.collector.parse", "dev.faultline.analyser.rules",
                        "dev.faultline.api", "dev.faultline.cli", "dev.faultline.kafka", "dev.faultline.commandline.collect",
                        "dev.faultline.commandline", "dev.faultline.testkit", "dev.faultline.bench")
                .noneMatch(p -> p.contains("planted"));
    }

    @Test
    void noPackageCycles() {
        NO_CYCLES.forEach(r -> r.check(PRODUCTION));
    }

    @Test
    void theAnalyserFollowsItsData() {
        ANALYSER_FLOW.check(PRODUCTION);
    }

    @Test
    void modulesDependOneWay() {
        MODULES.forEach(r -> r.check(PRODUCTION));
    }

    @Test
    void aPlantedCycleFails() {
        JavaClasses planted = new ClassFileImporter().importPackages("dev.faultline.plantedcyclea", "dev.faultline.plantedcycleb");
        assertThatThrownBy(() -> NO_CYCLES.get(0).check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected").hasMessageContaining("plantedcyclea").hasMessageContaining("plantedcycleb");
    }

    @Test
    void aPlantedImportAgainstTheFlowFails() {
        JavaClasses planted = new ClassFileImporter().importClasses(PlantedAgainstTheFlow.class, RuleSet.class);
        assertThatThrownBy(() -> ANALYSER_FLOW.check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PlantedAgainstTheFlow").hasMessageContaining("RuleSet");
    }
}
