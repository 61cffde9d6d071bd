package dev.faultline.analyser.state;

import dev.faultline.analyser.rules.RuleSet;

/** State reaching up into the rules: an import against the analyser's flow, planted for ArchitectureTest. */
public class PlantedAgainstTheFlow {
    RuleSet rules;
}
