package dev.faultline.commandline;

import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/**
 * Runs a {@code faultline} command line the same way in every archive (the full one and the collector's): defaults
 * from the config file and FAULTLINE_* variables, unknown config keys refused, a command's error as one line.
 */
public final class CommandLines {
    private CommandLines() {
    }

    /** Runs {@code args} against {@code cl}; returns the exit code. */
    public static int execute(CommandLine cl, UnaryOperator<String> env, String... args) {
        try {
            ConfigDefaults defaults = new ConfigDefaults(ConfigDefaults.configPath(args, env), env);
            List<String> unknown = defaults.unknownKeys(cl);
            if (!unknown.isEmpty()) {
                unknown.forEach(u -> System.err.println("faultline: " + u));
                return ExitCodes.UNUSABLE_INPUT;
            }
            cl.setDefaultValueProvider(defaults);
        } catch (IOException e) {
            System.err.println("faultline: config file: " + e.getMessage());
            return ExitCodes.UNUSABLE_INPUT;
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("faultline " + cmd.getCommandName() + ": " + e.getMessage());
            return ExitCodes.UNUSABLE_INPUT;
        });
        return cl.execute(args);
    }

    /** {@link #execute} then exit; out of memory is not 1, which a CI gate reads as "alerts found". */
    public static void main(CommandLine cl, String... args) {
        int code;
        try {
            code = execute(cl, System::getenv, args);
        } catch (OutOfMemoryError e) {
            // the launchers also pass -XX:+ExitOnOutOfMemoryError (exit 3)
            System.err.println("faultline: out of memory (" + e.getMessage() + "); give the JVM more with FAULTLINE_JAVA_OPTS=-Xmx...");
            code = ExitCodes.FAILED;
        }
        System.exit(code);
    }
}
