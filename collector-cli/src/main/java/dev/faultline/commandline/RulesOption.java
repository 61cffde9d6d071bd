package dev.faultline.commandline;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --rules DIR, defaulting to the rules/ directory next to the launcher. Loading them is the caller's (rule engine) part. */
public final class RulesOption {
    @Option(names = "--rules", paramLabel = "DIR", description = "Rules directory (default: rules/ of the Faultline installation).")
    public Path dir;

    /** The directory given, or the installation's rules/. */
    public Path dir() {
        return dir != null ? dir : defaultDir();
    }

    public static Path defaultDir() {
        String home = System.getProperty("faultline.home");
        return home != null ? Path.of(home, "rules") : Path.of("rules");
    }
}
