package dev.faultline.analyser.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Falco-style macros (named conditions) and lists (named value lists), expanded into a condition
 * before it is compiled. A name is replaced where it stands as a whole identifier, not as part of a
 * dotted field name; macros may use other macros and lists.
 */
final class Macros {
    private final Map<String, String> macros = new LinkedHashMap<>();
    private final Map<String, String> lists = new LinkedHashMap<>();

    void macro(String name, String condition) {
        macros.put(name, condition);
    }

    /** A list; items that are not numbers or booleans become string literals. */
    void list(String name, List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String item : items) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(isLiteral(item) ? item : "'" + item.replace("\\", "\\\\").replace("'", "\\'") + "'");
        }
        lists.put(name, sb.append(']').toString());
    }

    boolean defines(String name) {
        return macros.containsKey(name) || lists.containsKey(name);
    }

    Map<String, String> macros() {
        return macros;
    }

    /** The condition with every macro and list written out; an error on a cycle. */
    String expand(String condition) {
        String out = condition;
        for (int depth = 0; depth < 32; depth++) {
            String next = out;
            for (Map.Entry<String, String> m : macros.entrySet()) {
                next = replace(next, m.getKey(), "(" + m.getValue() + ")");
            }
            for (Map.Entry<String, String> l : lists.entrySet()) {
                next = replace(next, l.getKey(), l.getValue());
            }
            if (next.equals(out)) {
                return out;
            }
            out = next;
        }
        throw new IllegalArgumentException("macros refer to each other in a cycle");
    }

    /** Names of macros used (directly) in a condition. */
    List<String> used(String condition) {
        return macros.keySet().stream().filter(n -> word(n).matcher(condition).find()).toList();
    }

    private static String replace(String text, String name, String with) {
        return word(name).matcher(text).replaceAll(Matcher.quoteReplacement(with));
    }

    private static Pattern word(String name) {
        return Pattern.compile("(?<![\\w.'\"])" + Pattern.quote(name) + "(?![\\w.'\"])");
    }

    private static boolean isLiteral(String item) {
        return item.matches("-?\\d+u?|0x[0-9a-fA-F]+u?|true|false");
    }
}
