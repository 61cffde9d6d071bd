package dev.faultline.analyser.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.faultline.analyser.rules.fields.FieldSource;
import java.util.Optional;

/**
 * A compiled rule expression: cel-java's program, and its {@link DirectExpression} when the expression is
 * in the subset that evaluates without the interpreter (every shipped rule's is). With
 * {@code -Dfaultline.rules.verify=true} (or {@link #verifying}) both run on every event and a difference
 * stops the analyser, naming the expression, the event and both values: the check that the direct path is
 * CEL, which tests run over whole traces.
 */
public final class Condition {
    private static volatile boolean verifying = Boolean.getBoolean("faultline.rules.verify");

    private final String expression;
    private final CelRuntime.Program program;
    private final DirectExpression direct;

    private Condition(String expression, CelRuntime.Program program, DirectExpression direct) {
        this.expression = expression;
        this.program = program;
        this.direct = direct;
    }

    static Condition of(String expression, CelRuntime.Program program, CelAbstractSyntaxTree ast) {
        return new Condition(expression, program, DirectCompiler.compile(ast).orElse(null));
    }

    /** Whether every evaluation also runs through cel-java and must agree with the direct path. */
    public static void verifying(boolean on) {
        verifying = on;
    }

    /** cel-java's program: for what the direct path cannot do (evaluating with only some fields bound). */
    CelRuntime.Program program() {
        return program;
    }

    /** Whether the expression runs without cel-java's interpreter. */
    boolean isDirect() {
        return direct != null;
    }

    /** The expression's value for the event: CEL's result, or {@link DirectExpression#ERROR} where CEL raises an error. */
    Object evaluate(FieldSource values) {
        if (direct == null) {
            return viaCel(values);
        }
        Object v = direct.eval(values);
        if (verifying) {
            Object cel = viaCel(values);
            if (!(v == DirectExpression.ERROR ? cel == DirectExpression.ERROR
                    : cel != DirectExpression.ERROR && DirectCompiler.equal(v, cel) && v.getClass() == cel.getClass())) {
                throw new IllegalStateException("rule expression '" + expression + "' on " + values
                        + ": direct evaluation gives " + v + ", CEL gives " + cel);
            }
        }
        return v;
    }

    private Object viaCel(FieldSource values) {
        try {
            return program.eval(name -> Optional.ofNullable(values.get(name)));
        } catch (CelEvaluationException ex) {
            return DirectExpression.ERROR;
        }
    }

    @Override
    public String toString() {
        return expression;
    }
}
