package dev.faultline.analyser.rules.fields;

import dev.cel.common.types.CelType;
import dev.faultline.analyser.enrich.EnrichedEvent;
import java.util.function.Function;

/**
 * A named value a rule can read, like Falco's fields: {@code evt.gpa}, {@code vm.private_memory}.
 * The extractor returns String, Boolean, Long (CEL int), UnsignedLong (CEL uint), or null when the
 * field does not apply to the event (the condition then sees it unbound). {@code index} is its place in the
 * catalogue: where {@link FieldValues} keeps its value for an event.
 */
public record Field(String name, CelType type, String doc, Function<EnrichedEvent, Object> extractor, int index) {

    public Object valueOf(EnrichedEvent e) {
        return extractor.apply(e);
    }

    /** The group, e.g. "fault" for fault.private. */
    public String group() {
        return name.substring(0, name.indexOf('.'));
    }
}
