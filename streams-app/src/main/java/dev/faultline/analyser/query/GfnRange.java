package dev.faultline.analyser.query;

import dev.faultline.analyser.state.Interval;

/** A closed range of GFNs [first, last] (unsigned) with a value: attributes, or 1 for populated. */
public record GfnRange(long first, long last, long value) {
    /** Number of pages, saturating at 2^64-1 for the whole space. */
    public long pages() {
        long n = last - first + 1;
        return n == 0 ? -1L : n;
    }

    static GfnRange of(Interval i) {
        return new GfnRange(i.first(), i.last(), i.value());
    }
}
