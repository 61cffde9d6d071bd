package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * An argument of a trace event's print format, a small C expression over the record's fields
 * ({@code REC->count > 1 ? "(...)" : ""}, {@code __print_symbolic(REC->type, ...)}), evaluated per record.
 * Values are {@code Long} or {@code String}.
 */
sealed interface FormatExpr {

    /** What an expression reads: the record, where it starts in the buffer, and its length. */
    record Rec(ByteBuffer buf, int base, int length) {
    }

    Object eval(Rec r);

    default long number(Rec r) {
        Object v = eval(r);
        if (v instanceof Long l) {
            return l;
        }
        throw new IllegalStateException("a string where a number is needed: " + v);
    }

    record Const(Object value) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            return value;
        }
    }

    record FieldRef(EventFormat.Field field) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            return field.isString() ? field.string(r.buf(), r.base(), r.length()) : (Object) field.number(r.buf(), r.base());
        }
    }

    record Ternary(FormatExpr cond, FormatExpr then, FormatExpr otherwise) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            return cond.number(r) != 0 ? then.eval(r) : otherwise.eval(r);
        }
    }

    record Unary(char op, FormatExpr e) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            long v = e.number(r);
            return switch (op) {
                case '-' -> -v;
                case '!' -> v == 0 ? 1L : 0L;
                default -> ~v;
            };
        }
    }

    /** A C cast: truncates and sign- or zero-extends to the type's width. */
    record Cast(int bits, boolean signed, FormatExpr e) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            long v = e.number(r);
            if (bits == 1) {
                return v != 0 ? 1L : 0L;
            }
            if (bits >= 64) {
                return v;
            }
            int shift = 64 - bits;
            return signed ? (v << shift) >> shift : (v << shift) >>> shift;
        }
    }

    record Binary(String op, FormatExpr a, FormatExpr b) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            if (op.equals("&&")) {
                return a.number(r) != 0 && b.number(r) != 0 ? 1L : 0L;
            }
            if (op.equals("||")) {
                return a.number(r) != 0 || b.number(r) != 0 ? 1L : 0L;
            }
            long x = a.number(r);
            long y = b.number(r);
            return switch (op) {
                case "==" -> x == y ? 1L : 0L;
                case "!=" -> x != y ? 1L : 0L;
                case "<" -> x < y ? 1L : 0L;
                case ">" -> x > y ? 1L : 0L;
                case "<=" -> x <= y ? 1L : 0L;
                case ">=" -> x >= y ? 1L : 0L;
                case "|" -> x | y;
                case "^" -> x ^ y;
                case "&" -> x & y;
                case "<<" -> x << y;
                case ">>" -> x >>> y;
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "/" -> y == 0 ? 0L : Long.divideUnsigned(x, y);
                default -> y == 0 ? 0L : Long.remainderUnsigned(x, y);
            };
        }
    }

    /** {@code __print_hex(REC->buf, len)}: the field's first len bytes as {@code ba f8 03}, as the kernel prints them. */
    record Hex(EventFormat.Field field, FormatExpr length) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            int n = (int) Math.max(0, Math.min(length.number(r), field.size() == 0 ? r.length() - field.offset() : field.size()));
            StringBuilder sb = new StringBuilder(n * 3);
            for (int i = 0; i < n && r.base() + field.offset() + i < r.buf().limit(); i++) {
                int v = r.buf().get(r.base() + field.offset() + i) & 0xff;
                sb.append(i == 0 ? "" : " ").append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
            }
            return sb.toString();
        }
    }

    record Symbol(long value, String name) {
    }

    /** {@code __print_symbolic}: the name of the value, or the value in hex when it has none (as the kernel prints it). */
    record Symbolic(FormatExpr e, List<Symbol> symbols) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            long v = e.number(r);
            for (Symbol s : symbols) {
                if (s.value() == v) {
                    return s.name();
                }
            }
            return "0x" + Long.toHexString(v);
        }
    }

    /** {@code __print_flags}: the names of the set flags joined by the delimiter, then any bits left in hex. */
    record Flags(FormatExpr e, String delimiter, List<Symbol> symbols) implements FormatExpr {
        @Override
        public Object eval(Rec r) {
            long v = e.number(r);
            StringBuilder sb = new StringBuilder();
            for (Symbol s : symbols) {
                if (s.value() == 0 ? v == 0 : (v & s.value()) == s.value()) {
                    if (sb.length() > 0) {
                        sb.append(delimiter);
                    }
                    sb.append(s.name());
                    v &= ~s.value();
                    if (s.value() == 0) {
                        break;
                    }
                }
            }
            if (v != 0) {
                if (sb.length() > 0) {
                    sb.append(delimiter);
                }
                sb.append("0x").append(Long.toHexString(v));
            }
            return sb.toString();
        }
    }
}
