package dev.faultline.cli;

import dev.faultline.commandline.ExitCodes;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with rule files.",
        subcommands = {RulesCommand.Test.class, RulesCommand.Validate.class, RulesCommand.Fields.class})
final class RulesCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Run every rule's examples; prints a result per example and rule. Exit 1 if any fails, 2 if the rules do not load.")
    static final class Test implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "DIR", description = "Rules directory (default: rules/ of the installation).")
        Path dir;

        @Override
        public Integer call() {
            RuleSet rules = RuleFiles.loadOrReport(dir, "rules test");
            if (rules == null) {
                return ExitCodes.UNUSABLE_INPUT;
            }
            List<RuleExamples.Result> results = RuleExamples.run(rules);
            int failed = 0;
            for (String id : rules.rules().keySet()) {
                List<RuleExamples.Result> mine = results.stream().filter(r -> r.rule().equals(id)).toList();
                long bad = mine.stream().filter(r -> !r.passed()).count();
                System.out.printf("%s %s (%d example(s))%n", mine.isEmpty() ? "NONE" : bad == 0 ? "PASS" : "FAIL", id, mine.size());
                for (RuleExamples.Result r : mine) {
                    System.out.printf("    %s %s%s%n", r.passed() ? "ok  " : "FAIL", r.example().name(),
                            r.passed() ? "" : "\n         " + r.example().where() + ": " + r.problem());
                }
                failed += (int) bad;
            }
            System.out.printf("%d passed, %d failed%n", results.size() - failed, failed);
            return failed == 0 ? ExitCodes.OK : ExitCodes.ALERTS;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Load and lint rule files: errors (exit 2) and warnings (rules without examples both ways, unused macros).")
    static final class Validate implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "DIR", description = "Rules directory (default: rules/ of the installation).")
        Path dir;

        @Override
        public Integer call() {
            RuleSet rules = RuleFiles.loadOrReport(dir, "rules validate");
            if (rules == null) {
                return ExitCodes.UNUSABLE_INPUT;
            }
            rules.warnings().forEach(w -> System.out.println("warning: " + w));
            System.out.printf("%d rule(s), %d enabled, %d warning(s)%n", rules.rules().size(), rules.enabled().size(),
                    rules.warnings().size());
            return ExitCodes.OK;
        }
    }

    @Command(name = "fields", mixinStandardHelpOptions = true, description = "List the fields rule conditions and outputs can use.")
    static final class Fields implements Runnable {
        @Override
        public void run() {
            for (Field f : FieldCatalog.get().all()) {
                System.out.printf("%-28s %-7s %s%n", f.name(), f.type().name(), f.doc());
            }
        }
    }
}
