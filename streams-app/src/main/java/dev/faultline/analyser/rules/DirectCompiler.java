package dev.faultline.analyser.rules;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a checked CEL expression into a {@link DirectExpression} when it is made only of what rules use:
 * catalogue fields, int / uint / string / bool literals, {@code && || !}, {@code == !=}, number ordering and
 * {@code in} a literal list. Anything else (arithmetic, functions, macros over lists, doubles) is left to
 * cel-java: {@link #compile} returns empty and the condition runs as CEL does.
 */
final class DirectCompiler {
    private final CelAbstractSyntaxTree ast;

    private DirectCompiler(CelAbstractSyntaxTree ast) {
        this.ast = ast;
    }

    /** Not in the subset: the whole expression stays with CEL. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    static Optional<DirectExpression> compile(CelAbstractSyntaxTree ast) {
        try {
            return Optional.of(new DirectCompiler(ast).node(ast.getExpr()));
        } catch (Unsupported u) {
            return Optional.empty();
        }
    }

    /** The catalogue field an expression names ({@code evt.gpa}, an identifier once checked, or a select), or null. */
    static String fieldName(CelExpr e) {
        String name = dotted(e);
        return name != null && FieldCatalog.get().field(name) != null ? name : null;
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

    private DirectExpression node(CelExpr e) throws Unsupported {
        return switch (e.getKind()) {
            case CONSTANT -> constant(e.constant());
            case IDENT, SELECT -> field(e);
            case CALL -> call(e);
            default -> throw new Unsupported();
        };
    }

    private static DirectExpression constant(CelConstant c) throws Unsupported {
        Object v = switch (c.getKind()) {
            case INT64_VALUE -> c.int64Value();
            case UINT64_VALUE -> c.uint64Value();
            case STRING_VALUE -> c.stringValue();
            case BOOLEAN_VALUE -> c.booleanValue();
            default -> throw new Unsupported();
        };
        return values -> v;
    }

    private static DirectExpression field(CelExpr e) throws Unsupported {
        String name = fieldName(e);
        if (name == null) {
            throw new Unsupported();
        }
        Field f = FieldCatalog.get().field(name);
        return values -> {
            Object v = values.get(f);
            return v == null ? DirectExpression.ERROR : v;
        };
    }

    private DirectExpression call(CelExpr e) throws Unsupported {
        if (e.call().target().isPresent()) {
            throw new Unsupported();
        }
        List<CelExpr> args = e.call().args();
        return switch (e.call().function()) {
            case "_&&_" -> and(nodes(args));
            case "_||_" -> or(nodes(args));
            case "!_" -> not(node(args.get(0)));
            case "_==_" -> equal(node(args.get(0)), node(args.get(1)), true);
            case "_!=_" -> equal(node(args.get(0)), node(args.get(1)), false);
            case "_<_" -> order(args, c -> c < 0);
            case "_<=_" -> order(args, c -> c <= 0);
            case "_>_" -> order(args, c -> c > 0);
            case "_>=_" -> order(args, c -> c >= 0);
            case "@in" -> in(node(args.get(0)), args.get(1));
            default -> throw new Unsupported();
        };
    }

    private DirectExpression[] nodes(List<CelExpr> args) throws Unsupported {
        DirectExpression[] out = new DirectExpression[args.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node(args.get(i));
        }
        return out;
    }

    /** CEL's &&: false if any side is false, whatever errors the others raise; else an error if any; else true. */
    private static DirectExpression and(DirectExpression[] args) {
        return values -> {
            boolean error = false;
            for (DirectExpression a : args) {
                Object v = a.eval(values);
                if (Boolean.FALSE.equals(v)) {
                    return Boolean.FALSE;
                }
                error |= !(v instanceof Boolean);
            }
            return error ? DirectExpression.ERROR : Boolean.TRUE;
        };
    }

    /** CEL's ||: true if any side is true, whatever errors the others raise; else an error if any; else false. */
    private static DirectExpression or(DirectExpression[] args) {
        return values -> {
            boolean error = false;
            for (DirectExpression a : args) {
                Object v = a.eval(values);
                if (Boolean.TRUE.equals(v)) {
                    return Boolean.TRUE;
                }
                error |= !(v instanceof Boolean);
            }
            return error ? DirectExpression.ERROR : Boolean.FALSE;
        };
    }

    private static DirectExpression not(DirectExpression a) {
        return values -> a.eval(values) instanceof Boolean b ? !b : DirectExpression.ERROR;
    }

    private static DirectExpression equal(DirectExpression l, DirectExpression r, boolean when) {
        return values -> {
            Object a = l.eval(values);
            if (a == DirectExpression.ERROR) {
                return a;
            }
            Object b = r.eval(values);
            return b == DirectExpression.ERROR ? b : equal(a, b) == when;
        };
    }

    /** CEL's heterogeneous equality: numbers by value (1 == 1u), anything else by type and value. */
    static boolean equal(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return compare(a, b) == 0;
        }
        return a.equals(b);
    }

    private interface Test {
        boolean holds(int comparison);
    }

    /** Ordering of int and uint only: CEL's other orderings (strings, bools) stay with CEL. */
    private DirectExpression order(List<CelExpr> args, Test test) throws Unsupported {
        for (CelExpr a : args) {
            CelType t = ast.getType(a.id()).orElseThrow(Unsupported::new);
            if (t != SimpleType.INT && t != SimpleType.UINT) {
                throw new Unsupported();
            }
        }
        DirectExpression l = node(args.get(0));
        DirectExpression r = node(args.get(1));
        return values -> {
            Object a = l.eval(values);
            if (a == DirectExpression.ERROR) {
                return a;
            }
            Object b = r.eval(values);
            return b == DirectExpression.ERROR ? b : test.holds(compare(a, b));
        };
    }

    /** {@code x in [literal, ...]}: x equals one of them. */
    private DirectExpression in(DirectExpression x, CelExpr list) throws Unsupported {
        if (list.getKind() != CelExpr.ExprKind.Kind.LIST || !list.list().optionalIndices().isEmpty()) {
            throw new Unsupported();
        }
        List<Object> items = new ArrayList<>();
        for (CelExpr item : list.list().elements()) {
            if (item.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
                throw new Unsupported();
            }
            items.add(constant(item.constant()).eval(null));
        }
        return values -> {
            Object v = x.eval(values);
            if (v == DirectExpression.ERROR) {
                return v;
            }
            for (Object item : items) {
                if (equal(v, item)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        };
    }

    private static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof UnsignedLong;
    }

    /** int against uint by value: a negative int is below every uint. */
    static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof UnsignedLong x && b instanceof UnsignedLong y) {
            return Long.compareUnsigned(x.longValue(), y.longValue());
        }
        if (a instanceof Long x && b instanceof UnsignedLong y) {
            return x < 0 ? -1 : Long.compareUnsigned(x, y.longValue());
        }
        if (a instanceof UnsignedLong x && b instanceof Long y) {
            return y < 0 ? 1 : Long.compareUnsigned(x.longValue(), y);
        }
        throw new IllegalArgumentException("not numbers: " + a + ", " + b);
    }
}
