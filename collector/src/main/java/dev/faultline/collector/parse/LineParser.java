package dev.faultline.collector.parse;

import static dev.faultline.collector.text.Ascii.allDigits;
import static dev.faultline.collector.text.Ascii.isDigit;
import static dev.faultline.collector.text.Ascii.skipSpaces;
import static dev.faultline.collector.text.Ascii.trimEnd;

import dev.faultline.collector.text.Ascii;
import dev.faultline.collector.text.TraceTimes;

/**
 * The tracefs line grammar (docs/design.md §3) for {@code trace}, {@code trace_pipe} and
 * {@code trace-cmd report}: with or without the tgid column and the flags column. Hand-written
 * scanning of the line's UTF-8 bytes, no regular expressions and no String per line: this runs once
 * per event.
 */
public final class LineParser {
    private final StringPool names = new StringPool();
    final KnownPrefixes prefixes = new KnownPrefixes(); // package-private: LineParserTest reads through it directly

    /** A line of text (tests, and sources that hold Strings). */
    public ParsedLine parse(String line) {
        byte[] b = Ascii.bytes(line);
        return parse(b, 0, b.length);
    }

    /**
     * The line in {@code b[from, to)}, without its terminator. A {@link TraceLine} reads its payload
     * there: it is valid while the bytes are, and {@link TraceLine#retained()} is the copy to keep.
     */
    public ParsedLine parse(byte[] b, int from, int to) {
        int i = skipSpaces(b, from, to);
        if (i == to) {
            return ParsedLine.HEADER;
        }
        if (b[i] == '#') {
            return i + 1 < to && b[i + 1] == '>'
                    ? new ParsedLine.Annotation(Ascii.string(b, i + 2, to).strip())
                    : ParsedLine.HEADER;
        }
        if (Ascii.startsWith(b, i, to, "CPU")) {
            ParsedLine cpuLine = cpuLine(b, i, to);
            if (cpuLine != null) {
                return cpuLine;
            }
        }
        ParsedLine usual = usualColumns(b, from, i, to);
        if (usual != null) {
            return usual;
        }
        ParsedLine any = anyColumns(b, from, i, to);
        // trace-cmd report's headers have no columns: looked for only where a line has none
        return any instanceof ParsedLine.Malformed && reportHeader(b, i, to) ? ParsedLine.HEADER : any;
    }

    /**
     * Any line the grammar allows, from its first non-space byte {@code i}: the columns are found by
     * searching back from the timestamp, one search each. {@link #usualColumns} reads most lines faster.
     */
    ParsedLine anyColumns(byte[] b, int from, int i, int to) {
        int tsColon = TraceTimes.timestampColon(b, i, to);
        if (tsColon < 0) {
            return new ParsedLine.Malformed("no timestamp");
        }
        int tsStart = TraceTimes.timestampStart(b, i, tsColon);
        long tsNs = TraceTimes.parseTimestamp(b, tsStart, tsColon);
        if (tsNs < 0) {
            return new ParsedLine.Malformed("timestamp out of range");
        }

        // Prefix: comm-tid [(tgid)] [cpu] [flags]
        int cpuClose = Ascii.lastIndexOf(b, i, tsStart, ']');
        int cpuOpen = cpuClose < 0 ? -1 : Ascii.lastIndexOf(b, i, cpuClose, '[');
        if (cpuOpen < i || !allDigits(b, cpuOpen + 1, cpuClose)) {
            return new ParsedLine.Malformed("no [cpu] column");
        }
        int cpu = (int) Ascii.decimalAtMost(b, cpuOpen + 1, cpuClose, Integer.MAX_VALUE);
        if (cpu < 0) {
            return new ParsedLine.Malformed("cpu out of range");
        }
        int end = trimEnd(b, i, cpuOpen);
        int tgid = TraceLine.NO_TGID;
        if (end > i && b[end - 1] == ')') {
            int open = Ascii.lastIndexOf(b, i, end - 1, '(');
            if (open < i) {
                return new ParsedLine.Malformed("unbalanced (tgid) column");
            }
            int a = skipSpaces(b, open + 1, end - 1);
            int z = trimEnd(b, a, end - 1);
            if (allDigits(b, a, z)) {
                tgid = (int) Ascii.decimalAtMost(b, a, z, Integer.MAX_VALUE);
                if (tgid < 0) {
                    return new ParsedLine.Malformed("tgid out of range");
                }
            } else if (!onlyDashes(b, a, z)) {
                return new ParsedLine.Malformed("bad tgid column");
            }
            end = trimEnd(b, i, open);
        }
        int dash = Ascii.lastIndexOf(b, i, end, '-');
        if (dash < i || !allDigits(b, dash + 1, end)) {
            return new ParsedLine.Malformed("no <comm>-<tid>");
        }
        int tid = (int) Ascii.decimalAtMost(b, dash + 1, end, Integer.MAX_VALUE);
        if (tid < 0) {
            return new ParsedLine.Malformed("tid out of range");
        }
        return afterTimestamp(b, from, to, tsColon, comm(b, afterBufferName(b, i, dash), dash), tid, tgid, cpu, tsNs);
    }

    /**
     * trace-cmd report names the buffer (instance) a line comes from before it, {@code fldat:     qemu-1234 [000]}:
     * where the comm starts after such a prefix (a word ending in ':' and spaces), else {@code i}.
     */
    private static int afterBufferName(byte[] b, int i, int dash) {
        int k = i;
        while (k < dash && b[k] != ' ' && b[k] != ':') {
            k++;
        }
        if (k == i || k + 1 >= dash || b[k] != ':' || b[k + 1] != ' ') {
            return i;
        }
        int start = skipSpaces(b, k + 1, dash);
        return start < dash ? start : i;
    }

    /**
     * The layout tracefs and trace-cmd print (docs/design.md §3), read in one pass back from the first ':'
     * with the numbers decoded on the way: {@code comm-tid [(tgid)] [cpu] [flags] secs.frac:}. Null when
     * the line is laid out otherwise (a ':' in the thread name, no prefix, a long number, anything
     * unexpected): then {@link #anyColumns} decides, so both agree on every line this accepts (tested).
     * Searching the columns one at a time cost more than the payload parsers.
     */
    ParsedLine usualColumns(byte[] b, int from, int i, int to) {
        ParsedLine known = prefixes.read(b, from, to, this);
        if (known != null) {
            return known;
        }
        int colon = Ascii.indexOf(b, i, to, ':');
        if (colon < 0 || (colon + 1 < to && b[colon + 1] != ' ')) {
            return null;
        }
        // secs.frac, right to left
        int fracStart = digitsBack(b, i, colon - 1, 9);
        int dot = fracStart - 1;
        if (fracStart == colon || b[dot] != '.') {
            return null;
        }
        int secsStart = digitsBack(b, i, dot - 1, 10);
        if (secsStart == dot || b[secsStart - 1] != ' ') {
            return null;
        }
        long tsNs = TraceTimes.secsFracNs(b, secsStart, dot, colon);
        if (tsNs < 0) {
            return null;
        }
        // [flags] and [cpu]
        int k = skipSpacesBack(b, i, secsStart - 1);
        if (b[k] != ']') {
            while (k > i && b[k] != ' ') {
                if (b[k] == ']') {
                    return null;
                }
                k--;
            }
            k = skipSpacesBack(b, i, k);
            if (b[k] != ']') {
                return null;
            }
        }
        int cpuClose = k;
        int cpuStart = digitsBack(b, i, cpuClose - 1, 9);
        if (cpuStart == cpuClose || b[cpuStart - 1] != '[' || cpuStart - 1 == i) {
            return null;
        }
        int cpu = (int) Ascii.decimal(b, cpuStart, cpuClose);
        // [(tgid)] and comm-tid
        k = skipSpacesBack(b, i, cpuStart - 2);
        int tgid = TraceLine.NO_TGID;
        if (b[k] == ')') {
            if (k == i) {
                return null;
            }
            k = skipSpacesBack(b, i, k - 1);
            if (isDigit(b[k])) {
                int tgidStart = digitsBack(b, i, k, 9);
                tgid = (int) Ascii.decimal(b, tgidStart, k + 1);
                k = tgidStart - 1;
            } else {
                if (b[k] != '-') {
                    return null;
                }
                while (k > i && b[k] == '-') {
                    k--;
                }
            }
            k = skipSpacesBack(b, i, k);
            if (b[k] != '(' || k == i) {
                return null;
            }
            k = skipSpacesBack(b, i, k - 1);
        }
        int tidStart = digitsBack(b, i, k, 9);
        if (tidStart == k + 1 || b[tidStart - 1] != '-') {
            return null;
        }
        int tid = (int) Ascii.decimal(b, tidStart, k + 1);
        String comm = comm(b, i, tidStart - 1);
        prefixes.keep(b, from, secsStart, comm, tid, tgid, cpu);
        return afterTimestamp(b, from, to, colon, comm, tid, tgid, cpu, tsNs);
    }

    /**
     * Where the run of digits that ends at {@code last} starts, taking at most {@code max} of them and none at
     * or before {@code floor}: {@code last + 1} when there is none. A longer run leaves a digit before the
     * start, which the caller's separator check refuses.
     */
    private static int digitsBack(byte[] b, int floor, int last, int max) {
        int k = last;
        while (k > floor && isDigit(b[k]) && last - k < max) {
            k--;
        }
        return k + 1;
    }

    /** From {@code k} leftwards past spaces, stopping at {@code floor}: the index of the last non-space byte. */
    private static int skipSpacesBack(byte[] b, int floor, int k) {
        return trimEnd(b, floor + 1, k + 1) - 1; // the same loop on an exclusive end
    }

    /** The thread name in {@code b[from, to)}; null for the {@code <...>} placeholder. */
    private String comm(byte[] b, int from, int to) {
        String comm = names.of(b, from, to);
        return comm.equals("<...>") ? null : comm;
    }

    /** After the timestamp: "event: payload", "sys_x(args)" or "sys_x -> ret". */
    ParsedLine afterTimestamp(byte[] b, int from, int to, int tsColon, String comm, int tid, int tgid,
                                      int cpu, long tsNs) {
        int e = skipSpaces(b, tsColon + 1, to);
        int nameEnd = e;
        while (nameEnd < to && Ascii.isNameChar(b[nameEnd])) {
            nameEnd++;
        }
        if (nameEnd == e || nameEnd == to) {
            return new ParsedLine.Malformed("no event name");
        }
        String event = names.of(b, e, nameEnd);
        byte sep = b[nameEnd];
        if (sep == ':') {
            int p = nameEnd + 1 < to && b[nameEnd + 1] == ' ' ? nameEnd + 2 : nameEnd + 1;
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.EVENT, b, from, to, p, to);
        }
        if (sep == '(') {
            int close = Ascii.lastIndexOf(b, nameEnd, to, ')');
            if (close < 0) {
                return new ParsedLine.Malformed("unclosed syscall arguments");
            }
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.SYSCALL_ENTER, b, from, to,
                    nameEnd + 1, close);
        }
        if (Ascii.startsWith(b, nameEnd, to, " -> ")) {
            int p = skipSpaces(b, nameEnd + 4, to);
            return new TraceLine(comm, tid, tgid, cpu, tsNs, event, TraceLine.Kind.SYSCALL_EXIT, b, from, to, p,
                    Ascii.trimEnd(b, p, to));
        }
        return new ParsedLine.Malformed("no ':' after event name");
    }

    /**
     * trace-cmd report's header lines: {@code version = 6} and {@code cpus=4}, the latter prefixed with the
     * input's name when it reads several ({@code host1.dat: cpus=4}).
     */
    private static boolean reportHeader(byte[] b, int i, int to) {
        int end = trimEnd(b, i, to);
        if (Ascii.startsWith(b, i, end, "version = ")) {
            return allDigits(b, skipSpaces(b, i + 10, end), end);
        }
        int k = Ascii.indexOf(b, i, end, "cpus=");
        if (k < 0 || !allDigits(b, k + 5, end) || k + 5 == end) {
            return false;
        }
        return k == i || (k - i >= 3 && b[k - 1] == ' ' && b[k - 2] == ':' && Ascii.indexOf(b, i, k - 2, ' ') < 0);
    }

    /**
     * {@code CPU:1 [LOST 111 EVENTS]} (the kernel's), {@code CPU:1 [111 EVENTS DROPPED]} or {@code CPU:1 [EVENTS
     * DROPPED]} (trace-cmd report's, the count unknown: at least 1), or trace-cmd's {@code CPU 0 is empty} banner; null for anything
     * else: QEMU names its vCPU threads "CPU 0/KVM", so an event line may start with "CPU" too.
     */
    private static ParsedLine cpuLine(byte[] b, int i, int to) {
        if (Ascii.startsWith(b, i, to, "CPU ") && Ascii.startsWith(b, to - 9, to, " is empty")) {
            return ParsedLine.HEADER;
        }
        if (!Ascii.startsWith(b, i, to, "CPU:")) {
            return null;
        }
        int end = trimEnd(b, i, to);
        if (Ascii.startsWith(b, end - 15, end, "EVENTS DROPPED]")) {
            return droppedLine(b, i, end);
        }
        int lost = Ascii.indexOf(b, i, to, "[LOST ");
        if (lost < 0 || !Ascii.startsWith(b, end - 7, to, "EVENTS]")) {
            return null;
        }
        int a = i + 3;
        while (a < to && (b[a] == ':' || b[a] == ' ')) {
            a++;
        }
        int z = a;
        while (z < to && isDigit(b[z])) {
            z++;
        }
        int c = lost + 6;
        int d = c;
        while (d < to && isDigit(b[d])) {
            d++;
        }
        if (z == a || d == c) {
            return new ParsedLine.Malformed("bad LOST EVENTS line");
        }
        // A loss is reported whatever its numbers: a CPU past an int's range as -1 (unknown), a count past
        // a long's as the largest long (more than could ever be counted).
        long cpu = Ascii.decimalAtMost(b, a, z, Integer.MAX_VALUE);
        long count = Ascii.decimalAtMost(b, c, d, Long.MAX_VALUE - 1);
        return new ParsedLine.Loss((int) cpu, count < 0 ? Long.MAX_VALUE : count);
    }

    /** {@code CPU:N [M EVENTS DROPPED]} or {@code CPU:N [EVENTS DROPPED]}, from {@code b[i, end)}. */
    private static ParsedLine droppedLine(byte[] b, int i, int end) {
        int a = i + 4;
        int z = a;
        while (z < end && isDigit(b[z])) {
            z++;
        }
        int open = Ascii.indexOf(b, z, end, '[');
        if (z == a || open < 0 || !onlySpaces(b, z, open)) {
            return new ParsedLine.Malformed("bad EVENTS DROPPED line");
        }
        long cpu = Ascii.decimalAtMost(b, a, z, Integer.MAX_VALUE);
        int c = open + 1;
        int d = c;
        while (d < end && isDigit(b[d])) {
            d++;
        }
        // a count trace-cmd does not know: at least one, as the raw reader reports a page's unknown loss
        long count = d == c ? 1 : Ascii.decimalAtMost(b, c, d, Long.MAX_VALUE - 1);
        return new ParsedLine.Loss((int) cpu, count < 0 ? Long.MAX_VALUE : count);
    }

    private static boolean onlySpaces(byte[] b, int from, int to) {
        return skipSpaces(b, from, to) == to;
    }

    private static boolean onlyDashes(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int k = from; k < to; k++) {
            if (b[k] != '-') {
                return false;
            }
        }
        return true;
    }
}
