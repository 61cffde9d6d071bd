package dev.faultline.cli;

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

    Path dir() {
        return dir != null ? dir : defaultDir();
    }

    static Path defaultDir() {
        String home = System.getProperty("faultline.home");
        return home != null ? Path.of(home, "rules") : Path.of("rules");
    }
}
