package dev.faultline.analyser.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelRuntime;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldCatalog;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled CEL expression, and the guards of its top-level conjunction: the boolean fields that must be
 * true (or, under {@code !}, false) for it to hold. A guard read false decides the whole condition, whatever
 * its other conjuncts do (CEL's {@code &&} absorbs their errors), so a rule skips its CEL evaluation then:
 * most events fail a guard such as {@code vm.private_memory}, and interpreting CEL was the largest part of
 * a rule's cost. A guard whose field is unbound decides nothing and CEL runs as before.
 */
public record Condition(CelRuntime.Program program, List<Guard> guards) {

    /** A boolean field the condition needs to be {@code mustBe}. */
    public record Guard(String field, boolean mustBe) {
    }

    static Condition of(CelRuntime.Program program, CelAbstractSyntaxTree ast) {
        List<Guard> guards = new ArrayList<>();
        collect(ast.getExpr(), guards);
        return new Condition(program, List.copyOf(guards));
    }

    private static void collect(CelExpr e, List<Guard> out) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("_&&_")) {
            e.call().args().forEach(a -> collect(a, out));
            return;
        }
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("!_")) {
            String name = booleanField(e.call().args().get(0));
            if (name != null) {
                out.add(new Guard(name, false));
            }
            return;
        }
        String name = booleanField(e);
        if (name != null) {
            out.add(new Guard(name, true));
        }
    }

    /** The catalogue's boolean field an expression names ({@code vm.private_memory}), or null. */
    private static String booleanField(CelExpr e) {
        String name = dotted(e);
        Field f = name == null ? null : FieldCatalog.get().field(name);
        return f != null && f.type() == SimpleType.BOOL ? name : null;
    }

    private static String dotted(CelExpr e) {
        if (e.getKind() == CelExpr.ExprKind.Kind.IDENT) {
            return e.ident().name();
        }
        if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && !e.select().testOnly()) {
            String operand = dotted(e.select().operand());
            return operand == null ? null : operand + "." + e.select().field();
        }
        return null;
    }
}
