package dev.faultline.collector.parse;

/**
 * Reuses the String for a run of characters seen before: thread names, event names and syscall
 * argument names repeat on nearly every line, and a reused String also keeps its cached hash for the
 * map lookups that follow. A fixed table, the newest string winning its slot. Shared use is safe
 * (a lost race costs one substring: a slot holds an immutable String or null).
 */
final class StringPool {
    private final String[] slots = new String[1024];

    String of(String s, int from, int to) {
        // a few characters and the length pick the slot: hashing every character cost more than the match
        int n = to - from;
        if (n == 0) {
            return "";
        }
        int h = n;
        h = 31 * h + s.charAt(from);
        h = 31 * h + s.charAt(to - 1);
        h = 31 * h + s.charAt(from + (n >> 1));
        h = 31 * h + s.charAt(from + (n >> 2));
        int slot = (h ^ (h >>> 16)) & (slots.length - 1);
        String known = slots[slot];
        if (known != null && known.length() == to - from && s.regionMatches(from, known, 0, to - from)) {
            return known;
        }
        String fresh = s.substring(from, to);
        slots[slot] = fresh;
        return fresh;
    }
}
