package dev.faultline.commandline.collect;

import dev.faultline.host.HostFeature;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What the rules in a directory require of a host, for {@code doctor}. Reading rule files takes the rule engine,
 * which the collector archive does not carry; the full command line supplies it.
 */
public interface RuleRequirements {
    /** The enabled rules of {@code dir}, each with the host features it requires (empty when none). */
    Map<String, Set<HostFeature>> requiredFeatures(Path dir) throws RulesUnreadable;

    /** A rule directory that does not load, with the reason. */
    final class RulesUnreadable extends Exception {
        public RulesUnreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
