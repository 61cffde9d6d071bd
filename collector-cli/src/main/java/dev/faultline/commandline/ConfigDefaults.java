package dev.faultline.commandline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it: the environment
 * ({@code FAULTLINE_<COMMAND>_<OPTION>}, e.g. FAULTLINE_COLLECT_SPOOL_DIR), then the config file
 * ({@code <command>: {<option>: value}}, e.g. {@code collect: {spool-dir: /var/lib/faultline}}), then the
 * option's built-in default. Flags win over both. Every key of the file must name an option.
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    public static final String CONFIG_ENV = "FAULTLINE_CONFIG";

    private final JsonNode file;
    private final Path path;
    private final UnaryOperator<String> env;

    ConfigDefaults(Path path, UnaryOperator<String> env) throws IOException {
        this.path = path;
        this.env = env;
        JsonNode read = path == null ? null : new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
        // a file of comments only is no settings, not an error
        this.file = read == null || read.isMissingNode() || read.isNull() ? null : read;
    }

    /** The config file named by --config (or FAULTLINE_CONFIG), read before the command line is parsed. */
    public static Path configPath(String[] args, UnaryOperator<String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String e = env.apply(CONFIG_ENV);
        return e == null || e.isBlank() ? null : Path.of(e);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.command() == null) {
            return null;
        }
        String command = commandKey(o.command());
        String option = o.longestName().replaceFirst("^-+", "");
        String fromEnv = env.apply(envName(command, option));
        if (fromEnv != null) {
            return fromEnv;
        }
        if (file != null && file.has(command) && file.get(command).has(option)) {
            JsonNode v = file.get(command).get(option);
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.asText()));
                return String.join(",", items);
            }
            return v.asText();
        }
        return null;
    }

    /** Keys of the file that name no option: each is an error naming the file and the key. */
    List<String> unknownKeys(CommandLine root) {
        List<String> out = new ArrayList<>();
        if (file == null) {
            return out;
        }
        if (!file.isObject()) {
            out.add(path + ": a config file maps command names to their options");
            return out;
        }
        Map<String, CommandSpec> commands = new java.util.LinkedHashMap<>();
        collect(root.getCommandSpec(), commands);
        for (Iterator<String> it = file.fieldNames(); it.hasNext(); ) {
            String command = it.next();
            CommandSpec spec = commands.get(command);
            if (spec == null) {
                out.add(path + ": '" + command + "' is not a command (known: " + String.join(", ", commands.keySet()) + ")");
                continue;
            }
            for (Iterator<String> keys = file.get(command).fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (spec.findOption("--" + key) == null) {
                    out.add(path + ": '" + command + "." + key + "' is not an option of " + command);
                }
            }
        }
        return out;
    }

    public static void collect(CommandSpec spec, Map<String, CommandSpec> out) {
        for (CommandLine sub : spec.subcommands().values()) {
            String key = commandKey(sub.getCommandSpec());
            if (!out.containsKey(key) && !sub.getCommandSpec().name().equals("help")) {
                out.put(key, sub.getCommandSpec());
                collect(sub.getCommandSpec(), out);
            }
        }
    }

    /** "collect", "rules-test", ...: the command path below faultline, joined with '-'. */
    public static String commandKey(CommandSpec spec) {
        String q = spec.qualifiedName("-");
        return q.startsWith("faultline-") ? q.substring("faultline-".length()) : q;
    }

    public static String envName(String command, String option) {
        return ("FAULTLINE_" + command + "_" + option).toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
