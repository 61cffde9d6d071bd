package dev.faultline.analyser.state;

/**
 * A closed range of page numbers [first, last] with a value. Bounds are unsigned 64-bit, so a
 * range can reach 2^64-1; closed bounds keep that representable.
 */
public record Interval(long first, long last, long value) {

    public Interval {
        if (Long.compareUnsigned(first, last) > 0) {
            throw new IllegalArgumentException("empty interval " + Long.toUnsignedString(first) + ".."
                    + Long.toUnsignedString(last));
        }
    }

    public boolean contains(long x) {
        return Long.compareUnsigned(first, x) <= 0 && Long.compareUnsigned(x, last) <= 0;
    }

    /** Number of pages, saturating at 2^64-1 for the whole space. */
    public long pages() {
        long n = last - first + 1;
        return n == 0 ? -1L : n;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(first) + "..0x" + Long.toHexString(last) + "]=" + value;
    }
}
