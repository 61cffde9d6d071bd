package dev.faultline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command. */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "faultline 0.1.0",
        description = "Watches the memory of confidential VMs on KVM hosts.",
        subcommands = {CollectCommand.class, CheckCommand.class, AnalyseCommand.class, DemoCommand.class, RulesCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Faultline implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Faultline());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("faultline " + cmd.getCommandName() + ": " + e.getMessage());
            return ExitCodes.UNUSABLE_INPUT;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
