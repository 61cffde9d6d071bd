package dev.faultline.analyser.rules.fields;

/** Where a rule expression reads its fields: an event's {@link FieldValues}, or a test's bindings. */
public interface FieldSource {
    /** The field's value, or null when it does not apply (CEL sees it unbound). */
    Object get(Field f);

    /** By name, for CEL's variable resolver: null for a name that is no field or does not apply. */
    default Object get(String name) {
        Field f = FieldCatalog.get().field(name);
        return f == null ? null : get(f);
    }
}
