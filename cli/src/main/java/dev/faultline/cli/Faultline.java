package dev.faultline.cli;

import dev.faultline.bench.BenchCommand;
import dev.faultline.commandline.collect.CollectCommand;
import dev.faultline.commandline.collect.DoctorCommand;
import dev.faultline.commandline.CommandLines;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command of the full archive (the collector archive's is CollectorCommandLine). */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "faultline 0.1.0",
        description = "Watches the memory of confidential VMs on KVM hosts.")
public final class Faultline implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLines.main(commandLine(), args);
    }

    @CommandLine.Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Config file (YAML: <command>: {<option>: value}); also FAULTLINE_CONFIG. See docs/configuration.md.")
    Path config;

    /** The command tree; doctor here reads the rules, to say which of them this host cannot feed. */
    static CommandLine commandLine() {
        return new CommandLine(new Faultline()).addSubcommand(new CollectCommand()).addSubcommand(new CheckCommand())
                .addSubcommand(new AnalyseCommand()).addSubcommand(new DemoCommand()).addSubcommand(new RulesCommand())
                .addSubcommand(new DoctorCommand(new RuleFiles())).addSubcommand(new BenchCommand())
                .addSubcommand(new ConfigCommand()).addSubcommand(new CommandLine.HelpCommand());
    }

    /** Runs the command line; returns the exit code (for tests). */
    public static int run(String... args) {
        return run(System::getenv, args);
    }

    static int run(UnaryOperator<String> env, String... args) {
        return CommandLines.execute(commandLine(), env, args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
