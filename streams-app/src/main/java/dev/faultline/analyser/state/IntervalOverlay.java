package dev.faultline.analyser.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory interval map (value 0 = absent, as in {@link IntervalStore}) for rebuilding a
 * past state from the attribute history; bounds are unsigned.
 */
final class IntervalOverlay {
    private final TreeMap<Long, Interval> byFirst = new TreeMap<>(Long::compareUnsigned);

    /** Sets [first, last] to {@code value}, splitting the intervals it cuts. */
    void set(long first, long last, long value) {
        Map.Entry<Long, Interval> before = byFirst.floorEntry(first);
        if (before != null && Long.compareUnsigned(before.getValue().last(), first) >= 0) {
            cut(before.getValue(), first, last);
        }
        for (Interval i : new ArrayList<>(byFirst.subMap(first, true, last, true).values())) {
            cut(i, first, last);
        }
        if (value != 0) {
            byFirst.put(first, new Interval(first, last, value));
        }
    }

    /** Replaces {@code i} by what lies outside [first, last]. */
    private void cut(Interval i, long first, long last) {
        byFirst.remove(i.first());
        if (Long.compareUnsigned(i.first(), first) < 0) {
            byFirst.put(i.first(), new Interval(i.first(), first - 1, i.value()));
        }
        if (Long.compareUnsigned(i.last(), last) > 0) {
            byFirst.put(last + 1, new Interval(last + 1, i.last(), i.value()));
        }
    }

    /** At most {@code max} intervals overlapping [first, last], clipped, in order. */
    List<Interval> overlapping(long first, long last, int max) {
        List<Interval> out = new ArrayList<>();
        Long from = byFirst.floorKey(first);
        for (Interval i : byFirst.tailMap(from == null ? first : from, true).values()) {
            if (out.size() >= max || Long.compareUnsigned(i.first(), last) > 0) {
                break;
            }
            if (Long.compareUnsigned(i.last(), first) >= 0) {
                out.add(new Interval(Long.compareUnsigned(i.first(), first) < 0 ? first : i.first(),
                        Long.compareUnsigned(i.last(), last) > 0 ? last : i.last(), i.value()));
            }
        }
        return out;
    }
}
