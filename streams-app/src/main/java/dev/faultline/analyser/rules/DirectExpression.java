package dev.faultline.analyser.rules;

import dev.faultline.analyser.rules.fields.FieldSource;

/**
 * A checked CEL expression evaluated straight over an event's field values, without cel-java's
 * interpreter, which converted every value it touched and was the larger part of a rule's cost. Only
 * the subset the rules use compiles to one ({@link DirectCompiler}); it keeps CEL's semantics, errors
 * included: a field that does not apply is an error that {@code &&} and {@code ||} absorb where the other
 * side decides, as in CEL. {@link Condition#verifying} checks it against CEL event by event.
 */
@FunctionalInterface
interface DirectExpression {
    /** The value of an expression that is an error in CEL (an unbound field, outside an absorbing && or ||). */
    Object ERROR = new Object() {
        @Override
        public String toString() {
            return "<error>";
        }
    };

    /** A Boolean, Long (int), UnsignedLong (uint) or String; or {@link #ERROR}. */
    Object eval(FieldSource values);
}
