package dev.faultline.cli;

import dev.faultline.analyser.rules.RuleFileException;
import dev.faultline.analyser.rules.RuleSet;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --rules DIR, defaulting to the rules/ directory next to the launcher. */
final class RulesOption {
    @Option(names = "--rules", paramLabel = "DIR", description = "Rules directory (default: rules/ of the Faultline installation).")
    Path dir;

    RuleSet load() {
        return RuleSet.load(dir());
    }

    /** The rules in {@code dir} (default dir when null), or null after printing why they do not load. */
    static RuleSet loadOrReport(Path dir, String command) {
        try {
            return RuleSet.load(dir != null ? dir : defaultDir());
        } catch (RuleFileException e) {
            System.err.println("faultline " + command + ": " + e.getMessage());
            return null;
        }
    }

    Path dir() {
        return dir != null ? dir : defaultDir();
    }

    static Path defaultDir() {
        String home = System.getProperty("faultline.home");
        return home != null ? Path.of(home, "rules") : Path.of("rules");
    }
}
