package dev.faultline.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command. */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "faultline 0.1.0",
        description = "Watches the memory of confidential VMs on KVM hosts.",
        subcommands = {CollectCommand.class, CheckCommand.class, AnalyseCommand.class, DemoCommand.class, RulesCommand.class,
            DoctorCommand.class,
            BenchCommand.class, ConfigCommand.class,
            CommandLine.HelpCommand.class})
public final class Faultline implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (OutOfMemoryError e) {
            // not 1: to a CI gate that is "alerts found" (the launchers also pass -XX:+ExitOnOutOfMemoryError, exit 3)
            System.err.println("faultline: out of memory (" + e.getMessage() + "); give the JVM more with FAULTLINE_JAVA_OPTS=-Xmx...");
            code = ExitCodes.FAILED;
        }
        System.exit(code);
    }

    @CommandLine.Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Config file (YAML: <command>: {<option>: value}); also FAULTLINE_CONFIG. See docs/configuration.md.")
    Path config;

    /** Runs the command line; returns the exit code (for tests). */
    public static int run(String... args) {
        return run(System::getenv, args);
    }

    static int run(java.util.function.UnaryOperator<String> env, String... args) {
        CommandLine cl = new CommandLine(new Faultline());
        try {
            ConfigDefaults defaults = new ConfigDefaults(ConfigDefaults.configPath(args, env), env);
            List<String> unknown = defaults.unknownKeys(cl);
            if (!unknown.isEmpty()) {
                unknown.forEach(u -> System.err.println("faultline: " + u));
                return ExitCodes.UNUSABLE_INPUT;
            }
            cl.setDefaultValueProvider(defaults);
        } catch (java.io.IOException e) {
            System.err.println("faultline: config file: " + e.getMessage());
            return ExitCodes.UNUSABLE_INPUT;
        }
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
