package dev.faultline.collector.source.ring;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A trace event's {@code print fmt} compiled once: the printf string and its C argument expressions,
 * rendered per binary record into the text the kernel itself would print in {@code trace_pipe}: what a record
 * of an event without field readers is parsed from, what names an exit reason the first time, and what a
 * message quotes. An unsupported construct is a compile error naming the event.
 */
public final class PrintFormat {
    private static final Set<String> TYPE_WORDS = Set.of("unsigned", "signed", "int", "long", "short", "char", "bool",
            "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32", "__u64", "__s8", "__s16",
            "__s32", "__s64", "size_t", "pid_t", "gfn_t", "gpa_t", "gva_t", "hpa_t", "dev_t", "loff_t", "pgoff_t");

    /** Kernel typedefs among TYPE_WORDS that are 64 bits wide, and those that are unsigned. */
    private static final Set<String> WIDE_TYPEDEFS = Set.of("size_t", "gfn_t", "gpa_t", "gva_t", "hpa_t", "loff_t", "pgoff_t");
    private static final Set<String> UNSIGNED_TYPEDEFS = Set.of("size_t", "gfn_t", "gpa_t", "gva_t", "hpa_t", "pgoff_t", "dev_t");

    private final List<Object> parts; // String literal text or Spec
    private final List<FormatExpr> args;

    private record Spec(String flags, int width, char length, char conversion) {
    }

    private PrintFormat(List<Object> parts, List<FormatExpr> args) {
        this.parts = parts;
        this.args = args;
    }

    /** Compiles {@code format.printFmt()}; throws IllegalArgumentException naming the event and the problem. */
    public static PrintFormat compile(EventFormat format) {
        String where = format.system() + "/" + format.name();
        try {
            Tokens t = new Tokens(format.printFmt());
            String fmt = t.strings();
            List<FormatExpr> args = new ArrayList<>();
            while (t.accept(",")) {
                args.add(new Parser(t, format).expr());
            }
            if (!t.atEnd()) {
                throw new IllegalArgumentException("unexpected '" + t.peek() + "'");
            }
            List<Object> parts = specs(fmt);
            long wanted = parts.stream().filter(p -> p instanceof Spec).count();
            if (wanted != args.size()) {
                throw new IllegalArgumentException(wanted + " conversions but " + args.size() + " arguments");
            }
            return new PrintFormat(parts, args);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": cannot compile print fmt (" + e.getMessage() + "): "
                    + format.printFmt(), e);
        }
    }

    /** Appends the record's text to {@code out}. */
    public void render(FormatExpr.Rec rec, StringBuilder out) {
        int a = 0;
        for (Object p : parts) {
            if (p instanceof String s) {
                out.append(s);
            } else {
                format((Spec) p, args.get(a++).eval(rec), out);
            }
        }
    }

    private static List<Object> specs(String fmt) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                lit.append(c);
                continue;
            }
            if (fmt.charAt(i + 1) == '%') {
                lit.append('%');
                i++;
                continue;
            }
            int j = i + 1;
            int f = j;
            while ("#0- +".indexOf(fmt.charAt(j)) >= 0) {
                j++;
            }
            String flags = fmt.substring(f, j);
            int w = j;
            while (Character.isDigit(fmt.charAt(j))) {
                j++;
            }
            int width = j > w ? Integer.parseInt(fmt.substring(w, j)) : 0;
            if (fmt.charAt(j) == '.') { // precision: not used by the events we read, skipped
                j++;
                while (Character.isDigit(fmt.charAt(j))) {
                    j++;
                }
            }
            char length = ' ';
            while ("hlLzqjt".indexOf(fmt.charAt(j)) >= 0) {
                length = fmt.charAt(j) == 'h' && length != 'l' ? 'h' : 'l';
                j++;
            }
            char conv = fmt.charAt(j);
            if ("diuxXocsp".indexOf(conv) < 0) {
                throw new IllegalArgumentException("conversion %" + conv);
            }
            if (lit.length() > 0) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(new Spec(flags, width, length, conv));
            i = j;
        }
        if (lit.length() > 0) {
            parts.add(lit.toString());
        }
        return parts;
    }

    private static void format(Spec s, Object v, StringBuilder out) {
        String body;
        String prefix = "";
        if (v instanceof String str) {
            body = str;
        } else {
            long x = (Long) v;
            boolean wide = s.length() == 'l';
            switch (s.conversion()) {
                case 'd', 'i' -> body = Long.toString(wide ? x : s.length() == 'h' ? (short) x : (int) x);
                case 'u' -> body = Long.toUnsignedString(wide ? x : x & 0xffff_ffffL);
                case 'x', 'X', 'p' -> {
                    body = Long.toHexString(wide || s.conversion() == 'p' ? x : x & 0xffff_ffffL);
                    if (s.conversion() == 'X') {
                        body = body.toUpperCase(java.util.Locale.ROOT);
                    }
                    if ((s.flags().indexOf('#') >= 0 && x != 0) || s.conversion() == 'p') {
                        prefix = s.conversion() == 'X' ? "0X" : "0x";
                    }
                }
                case 'o' -> body = Long.toOctalString(wide ? x : x & 0xffff_ffffL);
                case 'c' -> body = String.valueOf((char) (x & 0xff));
                default -> body = Long.toString(x);
            }
        }
        int pad = s.width() - prefix.length() - body.length();
        if (pad <= 0) {
            out.append(prefix).append(body);
        } else if (s.flags().indexOf('-') >= 0) {
            out.append(prefix).append(body).append(" ".repeat(pad));
        } else if (s.flags().indexOf('0') >= 0 && !(v instanceof String)) {
            boolean negative = body.startsWith("-");
            out.append(negative ? "-" : "").append(prefix).append("0".repeat(pad)).append(negative ? body.substring(1) : body);
        } else {
            out.append(" ".repeat(pad)).append(prefix).append(body);
        }
    }

    /** Recursive descent over C's precedence levels, as far as print formats use them. */
    private static final class Parser {
        private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("|"), List.of("^"),
                List.of("&"), List.of("==", "!="), List.of("<=", ">=", "<", ">"), List.of("<<", ">>"), List.of("+", "-"),
                List.of("*", "/", "%"));
        private final Tokens t;
        private final EventFormat format;

        Parser(Tokens t, EventFormat format) {
            this.t = t;
            this.format = format;
        }

        FormatExpr expr() {
            FormatExpr c = binary(0);
            if (t.accept("?")) {
                FormatExpr a = expr();
                t.expect(":");
                return new FormatExpr.Ternary(c, a, expr());
            }
            return c;
        }

        private FormatExpr binary(int level) {
            if (level == LEVELS.size()) {
                return unary();
            }
            FormatExpr left = binary(level + 1);
            for (String op; (op = t.acceptAny(LEVELS.get(level))) != null; ) {
                left = new FormatExpr.Binary(op, left, binary(level + 1));
            }
            return left;
        }

        private FormatExpr unary() {
            for (String op : List.of("-", "!", "~")) {
                if (t.accept(op)) {
                    return new FormatExpr.Unary(op.charAt(0), unary());
                }
            }
            if (t.peek().equals("(") && TYPE_WORDS.contains(t.peek(1))) {
                t.expect("(");
                StringBuilder type = new StringBuilder();
                while (!t.accept(")")) {
                    String w = t.next();
                    if (!TYPE_WORDS.contains(w) && !w.equals("*")) {
                        throw new IllegalArgumentException("cast to " + w);
                    }
                    type.append(w).append(' ');
                }
                return cast(type.toString().strip(), unary());
            }
            return primary();
        }

        /** A C cast: the width and signedness of the type named (a pointer or long is 64 bits here, x86-64). */
        private static FormatExpr cast(String type, FormatExpr e) {
            String t = type.replace("__", "");
            boolean unsigned = t.contains("unsigned") || t.matches("u\\d+") || UNSIGNED_TYPEDEFS.contains(t);
            int bits;
            if (t.contains("*") || t.contains("long") || t.endsWith("64") || WIDE_TYPEDEFS.contains(t)) {
                bits = 64;
            } else if (t.equals("bool")) {
                bits = 1;
            } else if (t.contains("short") || t.endsWith("16")) {
                bits = 16;
            } else if (t.contains("char") || t.endsWith("8")) {
                bits = 8;
            } else {
                bits = 32; // int, u32, s32, pid_t, dev_t
            }
            return new FormatExpr.Cast(bits, !unsigned, e);
        }

        private FormatExpr primary() {
            String tok = t.peek();
            if (tok.startsWith("\"")) {
                return new FormatExpr.Const(t.strings());
            }
            if (tok.equals("(")) {
                t.next();
                FormatExpr e = expr();
                t.expect(")");
                return e;
            }
            if (Character.isDigit(tok.charAt(0))) {
                t.next();
                return new FormatExpr.Const(number(tok));
            }
            t.next();
            if (tok.equals("REC")) {
                t.expect("->");
                return field(t.next());
            }
            t.expect("(");
            return switch (tok) {
                case "__print_symbolic", "__print_symbolic_u64" -> {
                    FormatExpr e = expr();
                    yield new FormatExpr.Symbolic(e, symbols());
                }
                case "__print_flags", "__print_flags_u64" -> {
                    FormatExpr e = expr();
                    t.expect(",");
                    String delimiter = t.strings();
                    yield new FormatExpr.Flags(e, delimiter, symbols());
                }
                case "__print_hex" -> {
                    FormatExpr.FieldRef buf = (FormatExpr.FieldRef) field(fieldName());
                    t.expect(",");
                    FormatExpr len = expr();
                    t.expect(")");
                    yield new FormatExpr.Hex(buf.field(), len);
                }
                case "__get_str" -> {
                    FormatExpr e = field(t.next());
                    t.expect(")");
                    yield e;
                }
                default -> throw new IllegalArgumentException("function " + tok);
            };
        }

        /** {@code REC->name}, as the first argument of a function that reads the field's bytes. */
        private String fieldName() {
            t.expect("REC");
            t.expect("->");
            return t.next();
        }

        private FormatExpr field(String name) {
            EventFormat.Field f = format.field(name);
            if (f == null) {
                throw new IllegalArgumentException("no field " + name);
            }
            return new FormatExpr.FieldRef(f);
        }

        private List<FormatExpr.Symbol> symbols() {
            List<FormatExpr.Symbol> out = new ArrayList<>();
            while (t.accept(",")) {
                t.expect("{");
                long v = new Parser(t, format).expr().number(null);
                t.expect(",");
                out.add(new FormatExpr.Symbol(v, t.strings()));
                t.expect("}");
            }
            t.expect(")");
            return out;
        }

        private static long number(String tok) {
            String s = tok.replaceAll("[uUlL]+$", "");
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16)
                    : s.length() > 1 && s.startsWith("0") ? Long.parseLong(s, 8) : Long.parseLong(s);
        }
    }

    /** C tokens of a print fmt line. */
    private static final class Tokens {
        private static final List<String> PUNCT = List.of("->", "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "?", ":",
                "(", ")", "{", "}", ",", "|", "^", "&", "<", ">", "+", "-", "*", "/", "%", "!", "~");
        private final List<String> toks = new ArrayList<>();
        private int pos;

        Tokens(String s) {
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"') {
                    int j = i + 1;
                    while (s.charAt(j) != '"') {
                        j += s.charAt(j) == '\\' ? 2 : 1;
                    }
                    toks.add(s.substring(i, j + 1));
                    i = j + 1;
                } else if (Character.isLetterOrDigit(c) || c == '_') {
                    int j = i;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                    toks.add(s.substring(i, j));
                    i = j;
                } else {
                    final int at = i;
                    String p = PUNCT.stream().filter(x -> s.startsWith(x, at)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("character '" + c + "'"));
                    toks.add(p);
                    i += p.length();
                }
            }
        }

        String peek() {
            return peek(0);
        }

        String peek(int ahead) {
            return pos + ahead < toks.size() ? toks.get(pos + ahead) : "";
        }

        boolean atEnd() {
            return pos >= toks.size();
        }

        String next() {
            if (atEnd()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return toks.get(pos++);
        }

        boolean accept(String s) {
            if (peek().equals(s)) {
                pos++;
                return true;
            }
            return false;
        }

        String acceptAny(List<String> ops) {
            String p = peek();
            return ops.contains(p) && accept(p) ? p : null;
        }

        void expect(String s) {
            if (!accept(s)) {
                throw new IllegalArgumentException("expected '" + s + "' at '" + peek() + "'");
            }
        }

        /** Adjacent C string literals, joined, escapes resolved. */
        String strings() {
            if (!peek().startsWith("\"")) {
                throw new IllegalArgumentException("expected a string at '" + peek() + "'");
            }
            StringBuilder sb = new StringBuilder();
            while (peek().startsWith("\"")) {
                String lit = next();
                for (int i = 1; i < lit.length() - 1; i++) {
                    char c = lit.charAt(i);
                    if (c == '\\') {
                        char e = lit.charAt(++i);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> e;
                        });
                    } else {
                        sb.append(c);
                    }
                }
            }
            return sb.toString();
        }
    }
}
