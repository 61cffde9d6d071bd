package dev.faultline.analyser.rules;

import dev.faultline.alerts.Evidence;
import java.util.List;
import java.util.Map;

/**
 * A rule's verdict on one event: what is wrong, where (GFN range, inclusive; null when the
 * violation has no guest range), the events that prove it and the state the rule read.
 */
public record Finding(String rule, Long gfnStart, Long gfnEnd, String message, List<Evidence> evidence,
                      Map<String, String> state) {
}
