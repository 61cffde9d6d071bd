package dev.faultline.analyser.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldCatalog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CEL with every field of the catalogue declared as a typed variable ({@code evt.gpa} is a uint),
 * so a condition is type-checked when the rule loads: an unknown field, a wrong type or a missing
 * {@code u} on a uint literal is a load error with its position, never a silent false at run time.
 */
public final class CelEnvironment {
    private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder().setOptions(OPTIONS).build();

    private static final Map<CelType, CelCompiler> COMPILERS = new ConcurrentHashMap<>();

    private CelEnvironment() {
    }

    private static CelCompiler compiler(CelType result) {
        CelCompilerBuilder b = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS).setResultType(result);
        for (Field f : FieldCatalog.get().all()) {
            b.addVar(f.name(), f.type());
        }
        return b.build();
    }

    /** Compiles {@code expression} to a program returning {@code result}; throws with CEL's positioned message. */
    public static Condition compile(String expression, CelType result) throws CelValidationException {
        CelCompiler compiler = COMPILERS.computeIfAbsent(result, CelEnvironment::compiler);
        CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
        try {
            return Condition.of(expression, RUNTIME.createProgram(ast), ast);
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("CEL could not plan a checked expression: " + expression, e);
        }
    }
}
