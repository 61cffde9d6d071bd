package dev.faultline.analyser.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * What a time-aware rule remembers for one VM: match times for a threshold, opening events still
 * waiting for their follow-up, recent events a later one must be preceded by. Bounded: past
 * {@link #CAP} entries the oldest go and are counted, so a hostile guest cannot grow it.
 */
public final class RuleWindow {
    public static final int CAP = 1024;

    public List<Long> times = new ArrayList<>();
    public List<Marker> pending = new ArrayList<>();
    public List<Marker> recent = new ArrayList<>();
    public long dropped;

    /** An event remembered by a rule: its GFN range (null: no range, matches any), when, which. */
    public static final class Marker {
        public Long first;
        public Long last;
        public long seq;
        public long ts;
        public String type;
        public String summary;

        public boolean overlaps(Long otherFirst, Long otherLast) {
            if (first == null || otherFirst == null) {
                return true;
            }
            return Long.compareUnsigned(first, otherLast) <= 0 && Long.compareUnsigned(otherFirst, last) <= 0;
        }
    }

    <T> void add(List<T> list, T item) {
        list.add(item);
        while (list.size() > CAP) {
            list.remove(0);
            dropped++;
        }
    }
}
