package dev.faultline.commandline.collect;

import dev.faultline.commandline.CommandLines;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code faultline} as the collector archive has it: only {@code collect} and {@code doctor}, so that what runs as
 * root on every KVM host carries no broker, Kafka Streams, rule engine or web server. The full command is
 * dev.faultline.cli.Faultline (module cli).
 */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "faultline 0.1.0 (collector)",
        description = "Collects the KVM memory events of this host into Kafka (the collector archive: collect, doctor).")
public final class CollectorCommandLine implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Config file (YAML: <command>: {<option>: value}); also FAULTLINE_CONFIG. See docs/configuration.md.")
    Path config;

    public static void main(String[] args) {
        CommandLines.main(commandLine(), args);
    }

    /** The command tree; doctor here cannot load rules, so it does not say which of them the host cannot feed. */
    public static CommandLine commandLine() {
        return new CommandLine(new CollectorCommandLine()).addSubcommand(new CollectCommand())
                .addSubcommand(DoctorCommand.withoutRules()).addSubcommand(new CommandLine.HelpCommand());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
