package dev.faultline.analyser.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time part of a rule, at most one of: a threshold ({@code count > N within D per vm}), a
 * follow-up the opening event must get within D ({@code unless_followed_by}), or a forerunner the
 * event must have had within D ({@code unless_preceded_by}). Time is the kernel timestamp of the
 * VM's own events, so a window closes when a later event of the VM shows the time has passed.
 */
public record Timing(Kind kind, long count, long withinNs, Condition other, boolean matchGfn) {

    public enum Kind { THRESHOLD, FOLLOWED_BY, PRECEDED_BY }

    private static final Pattern THRESHOLD = Pattern.compile("\\s*count\\s*>\\s*(\\d+)\\s+within\\s+(\\S+)\\s+per\\s+vm\\s*");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|ms|s|m)");

    /** {@code count > N within D per vm}; null if it does not read so. */
    static Timing threshold(String text) {
        Matcher m = THRESHOLD.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            return new Timing(Kind.THRESHOLD, Long.parseLong(m.group(1)), duration(m.group(2)), null, false);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** 100ms, 1s, 2m, 500us, 10ns. */
    static long duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 100ms, 1s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ns" -> n;
            case "us" -> n * 1_000L;
            case "ms" -> n * 1_000_000L;
            case "s" -> n * 1_000_000_000L;
            default -> n * 60_000_000_000L;
        };
    }
}
