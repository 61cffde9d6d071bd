package dev.faultline.analyser.rules.fields;

import dev.faultline.analyser.enrich.EnrichedEvent;

/**
 * The rule fields of one event, each computed the first time a rule reads it and kept by its catalogue
 * index: every field is a function of the event and the state before it, so one value serves every rule.
 * An array slot, not a map keyed by name: the fields are read in the hot path of every rule.
 */
public final class FieldValues implements FieldSource {
    /** A field read and found not to apply (null is "not read yet"). */
    private static final Object UNBOUND = new Object();

    private final EnrichedEvent event;
    private final Object[] slots = new Object[FieldCatalog.get().size()];

    private FieldValues(EnrichedEvent event) {
        this.event = event;
    }

    /** The event's values, made on first use and kept with the event. */
    public static FieldValues of(EnrichedEvent e) {
        return e.facts(FieldValues.class, FieldValues::new);
    }

    @Override
    public Object get(Field f) {
        Object v = slots[f.index()];
        if (v == null) {
            v = f.valueOf(event);
            slots[f.index()] = v == null ? UNBOUND : v;
            return v;
        }
        return v == UNBOUND ? null : v;
    }

    @Override
    public String toString() {
        return "event seq " + event.seq();
    }
}
