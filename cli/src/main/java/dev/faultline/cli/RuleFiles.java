package dev.faultline.cli;

import dev.faultline.analyser.rules.RuleFileException;
import dev.faultline.analyser.rules.RuleMeta;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.commandline.collect.RuleRequirements;
import dev.faultline.commandline.RulesOption;
import dev.faultline.host.HostFeature;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Rule directories as the commands load them: by the rule engine, with a one-line reason when they do not load. */
final class RuleFiles implements RuleRequirements {

    /** The rules in {@code dir} (the installation's rules/ when null), or null after printing why they do not load. */
    static RuleSet loadOrReport(Path dir, String command) {
        try {
            return RuleSet.load(dir != null ? dir : RulesOption.defaultDir());
        } catch (RuleFileException e) {
            System.err.println("faultline " + command + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    public Map<String, Set<HostFeature>> requiredFeatures(Path dir) throws RulesUnreadable {
        RuleSet rules;
        try {
            rules = RuleSet.load(dir);
        } catch (RuleFileException e) {
            throw new RulesUnreadable(e.getMessage(), e);
        }
        Map<String, Set<HostFeature>> out = new LinkedHashMap<>();
        for (var r : rules.rules().values()) {
            RuleMeta m = r.meta();
            if (m.enabled()) {
                out.put(m.id(), m.requires());
            }
        }
        return out;
    }
}
