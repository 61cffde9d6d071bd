package dev.faultline.cli;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.RulesOption;

import dev.faultline.collector.source.ReplaySource;
import dev.faultline.collector.Collector;
import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.OfflineAnalyser;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.events.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Run the analyser offline over trace files (no Kafka): the same topology and rules as the "
            + "streaming analyser. Prints the alerts.",
            "Exit status: 0 no alert at or above --fail-on, 1 some, 2 unusable input (missing file, no events, bad rules), "
                + "3 the check could not finish (out of memory)."})
final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Trace text files (trace, trace_pipe, trace-cmd report); - for stdin.")
    List<String> traces;

    @Mixin
    RulesOption rules;

    @Option(names = "--fail-on", defaultValue = "warning", paramLabel = "PRIORITY",
            description = "Lowest priority that fails the check: debug, info, notice, warning, error, critical (default: ${DEFAULT-VALUE}).")
    String failOn;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text, or json: one object per alert per line (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--tdx-shared-bit", defaultValue = "47", description = "GPA shared bit of TDX guests: 47 or 51.")
    int tdxSharedBit;

    @Override
    public Integer call() {
        Priority threshold;
        try {
            threshold = Priority.valueOf(failOn.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("faultline check: --fail-on " + failOn + " is not one of debug, info, notice, warning, error, critical");
            return ExitCodes.UNUSABLE_INPUT;
        }
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("faultline check: --format " + format + " is not text or json");
            return ExitCodes.UNUSABLE_INPUT;
        }
        RuleSet ruleSet = RuleFiles.loadOrReport(rules.dir, "check");
        if (ruleSet == null) {
            return ExitCodes.UNUSABLE_INPUT;
        }
        List<Alert> alerts = new ArrayList<>();
        try (OfflineAnalyser analyser = new OfflineAnalyser(ruleSet)) {
            for (String trace : traces) {
                CollectorStats stats;
                try {
                    stats = Collector.replay(trace, ReplaySource.hostFor(trace), tdxSharedBit, new EventSink() {
                        @Override
                        public void accept(Event e) {
                            analyser.process(e);
                        }
                    });
                } catch (IOException e) {
                    System.err.println("faultline check: " + trace + ": " + e.getMessage());
                    return ExitCodes.UNUSABLE_INPUT;
                }
                if (stats.totalEvents() == 0) {
                    System.err.println("faultline check: " + trace + ": no KVM events in " + stats.lines()
                            + " lines; is it a trace?\n" + stats.summary());
                    return ExitCodes.UNUSABLE_INPUT;
                }
                if (stats.totalSkipped() > 0) {
                    // the alerts below say nothing about these lines: say how many there were and why
                    System.err.print("faultline check: " + trace + ": " + stats.totalSkipped() + " of " + stats.lines()
                            + " lines skipped\n" + stats.skippedSummary());
                }
                alerts.addAll(AlertFolder.latestPerId(analyser.drainAlerts()));
            }
        }
        for (Alert a : alerts) {
            System.out.print(format.equals("json") ? AlertFormat.json(a) + "\n" : AlertFormat.text(a));
        }
        long failing = alerts.stream().filter(a -> a.getPriority().ordinal() >= threshold.ordinal()).count();
        if (format.equals("text")) {
            System.out.println(alerts.size() + " alert(s), " + failing + " at or above " + threshold.name().toLowerCase()
                    + (alerts.isEmpty() ? "" : ": " + String.join(", ", alerts.stream().map(Alert::getRule).distinct().toList())));
        }
        return failing > 0 ? ExitCodes.ALERTS : ExitCodes.OK;
    }
}
