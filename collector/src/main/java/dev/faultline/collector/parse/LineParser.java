package dev.faultline.collector.parse;

/**
 * The tracefs line grammar (kvm-reference 1) for {@code trace}, {@code trace_pipe} and
 * {@code trace-cmd report}: with or without the tgid column and the flags column. Hand-written
 * scanning, no regular expressions: this runs once per event.
 */
public final class LineParser {
    private final StringPool names = new StringPool();

    public ParsedLine parse(String line) {
        int n = line.length();
        int i = skipSpaces(line, 0);
        if (i == n) {
            return ParsedLine.HEADER;
        }
        char first = line.charAt(i);
        if (first == '#') {
            return i + 1 < n && line.charAt(i + 1) == '>'
                    ? new ParsedLine.Annotation(line.substring(i + 2).strip())
                    : ParsedLine.HEADER;
        }
        if (line.startsWith("CPU", i)) {
            ParsedLine cpuLine = cpuLine(line, i);
            if (cpuLine != null) {
                return cpuLine;
            }
        }
        int tsColon = timestampColon(line, i);
        if (tsColon < 0) {
            return new ParsedLine.Malformed("no timestamp");
        }
        int tsStart = tsColon;
        while (tsStart > i && line.charAt(tsStart - 1) != ' ') {
            tsStart--;
        }
        long tsNs = parseTimestamp(line, tsStart, tsColon);

        // Prefix: comm-tid [(tgid)] [cpu] [flags]
        int cpuOpen = -1;
        int cpuClose = -1;
        for (int k = tsStart - 1; k >= i; k--) {
            if (line.charAt(k) == ']') {
                cpuClose = k;
                cpuOpen = line.lastIndexOf('[', k);
                break;
            }
        }
        if (cpuOpen < i || !allDigits(line, cpuOpen + 1, cpuClose)) {
            return new ParsedLine.Malformed("no [cpu] column");
        }
        int cpu = parseIntDec(line, cpuOpen + 1, cpuClose);
        int end = trimEnd(line, i, cpuOpen);
        int tgid = TraceLine.NO_TGID;
        if (end > i && line.charAt(end - 1) == ')') {
            int open = line.lastIndexOf('(', end - 1);
            if (open < i) {
                return new ParsedLine.Malformed("unbalanced (tgid) column");
            }
            int a = skipSpaces(line, open + 1);
            int b = trimEnd(line, a, end - 1);
            if (allDigits(line, a, b)) {
                tgid = parseIntDec(line, a, b);
            } else if (!onlyDashes(line, a, b)) {
                return new ParsedLine.Malformed("bad tgid column");
            }
            end = trimEnd(line, i, open);
        }
        int dash = line.lastIndexOf('-', end - 1);
        if (dash < i || !allDigits(line, dash + 1, end)) {
            return new ParsedLine.Malformed("no <comm>-<tid>");
        }
        int tid = parseIntDec(line, dash + 1, end);
        String comm = names.of(line, i, dash);
        if (comm.equals("<...>")) {
            comm = null;
        }

        // After the timestamp: "event: payload", "sys_x(args)" or "sys_x -> ret".
        int e = skipSpaces(line, tsColon + 1);
        int nameEnd = e;
        while (nameEnd < n && isNameChar(line.charAt(nameEnd))) {
            nameEnd++;
        }
        if (nameEnd == e || nameEnd == n) {
            return new ParsedLine.Malformed("no event name");
        }
        String event = names.of(line, e, nameEnd);
        char sep = line.charAt(nameEnd);
        if (sep == ':') {
            int p = nameEnd + 1 < n && line.charAt(nameEnd + 1) == ' ' ? nameEnd + 2 : nameEnd + 1;
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.EVENT, line.substring(p));
        }
        if (sep == '(') {
            int close = line.lastIndexOf(')');
            if (close < nameEnd) {
                return new ParsedLine.Malformed("unclosed syscall arguments");
            }
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.SYSCALL_ENTER,
                    line.substring(nameEnd + 1, close));
        }
        if (line.startsWith(" -> ", nameEnd)) {
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.SYSCALL_EXIT,
                    line.substring(nameEnd + 4).strip());
        }
        return new ParsedLine.Malformed("no ':' after event name");
    }

    /** The timestamp of an event line in ns, or -1 when the line has none (a header, a loss line). */
    public static long timestampNs(String line) {
        int colon = timestampColon(line, 0);
        if (colon < 0) {
            return -1;
        }
        int start = colon;
        while (start > 0 && line.charAt(start - 1) != ' ') {
            start--;
        }
        return parseTimestamp(line, start, colon);
    }

    /**
     * {@code CPU:1 [LOST 111 EVENTS]}, or trace-cmd's {@code CPU 0 is empty} banner; null for anything
     * else: QEMU names its vCPU threads "CPU 0/KVM", so an event line may start with "CPU" too.
     */
    private static ParsedLine cpuLine(String line, int i) {
        if (line.endsWith(" is empty") && line.startsWith("CPU ", i)) {
            return ParsedLine.HEADER;
        }
        int lost = line.indexOf("[LOST ", i);
        if (lost < 0 || !line.startsWith("CPU:", i) || !line.stripTrailing().endsWith("EVENTS]")) {
            return null;
        }
        int a = i + 3;
        while (a < line.length() && (line.charAt(a) == ':' || line.charAt(a) == ' ')) {
            a++;
        }
        int b = a;
        while (b < line.length() && isDigit(line.charAt(b))) {
            b++;
        }
        int c = lost + 6;
        int d = c;
        while (d < line.length() && isDigit(line.charAt(d))) {
            d++;
        }
        if (b == a || d == c) {
            return new ParsedLine.Malformed("bad LOST EVENTS line");
        }
        return new ParsedLine.Loss(parseIntDec(line, a, b), Long.parseLong(line, c, d, 10));
    }

    /** Index of the ':' that ends the first {@code digits.digits} token followed by ": " or end of line. */
    private static int timestampColon(String line, int from) {
        int n = line.length();
        for (int c = line.indexOf(':', from); c >= 0; c = line.indexOf(':', c + 1)) {
            if (c + 1 < n && line.charAt(c + 1) != ' ') {
                continue;
            }
            int k = c - 1;
            int fracDigits = 0;
            while (k >= from && isDigit(line.charAt(k))) {
                k--;
                fracDigits++;
            }
            if (fracDigits == 0 || k < from || line.charAt(k) != '.') {
                continue;
            }
            int secEnd = k;
            k--;
            while (k >= from && isDigit(line.charAt(k))) {
                k--;
            }
            if (k < secEnd - 1 && (k < from || line.charAt(k) == ' ')) {
                return c;
            }
        }
        return -1;
    }

    private static long parseTimestamp(String line, int from, int to) {
        int dot = line.indexOf('.', from);
        long secs = decimal(line, from, dot);
        long frac = decimal(line, dot + 1, to);
        int digits = to - dot - 1;
        for (int d = digits; d < 9; d++) {
            frac *= 10;
        }
        for (int d = digits; d > 9; d--) {
            frac /= 10;
        }
        return secs * 1_000_000_000L + frac;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z');
    }

    /** The first index at or after {@code i} that is not a space. */
    static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int trimEnd(String s, int from, int end) {
        while (end > from && s.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
    }

    private static boolean allDigits(String s, int a, int b) {
        if (a >= b) {
            return false;
        }
        for (int k = a; k < b; k++) {
            if (!isDigit(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static boolean onlyDashes(String s, int a, int b) {
        if (a >= b) {
            return false;
        }
        for (int k = a; k < b; k++) {
            if (s.charAt(k) != '-') {
                return false;
            }
        }
        return true;
    }

    private static int parseIntDec(String s, int a, int b) {
        return (int) decimal(s, a, b);
    }

    /** Digits already checked by the caller (Long.parseLong's generic path is a hot spot here). */
    private static long decimal(String s, int a, int b) {
        long v = 0;
        for (int k = a; k < b; k++) {
            v = v * 10 + (s.charAt(k) - '0');
        }
        return v;
    }
}
