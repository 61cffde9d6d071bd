package dev.faultline.analyser.rules;

import dev.faultline.alerts.Priority;
import java.util.List;

/** A rule's entry in a rules/*.yaml file: what it means and how loud it is. */
public record RuleMeta(String id, String desc, Priority priority, List<String> tags, boolean enabled, String file) {
}
