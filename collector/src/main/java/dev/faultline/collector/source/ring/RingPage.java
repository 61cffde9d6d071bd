package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;

/**
 * One ring-buffer sub-buffer as {@code trace_pipe_raw} hands it out (docs/design.md §3): a u64 time stamp,
 * a u64 commit (data length, bit 31 = events were lost before this page, bit 30 = their count is stored
 * after the data), then events, each behind a 32-bit header of a 5-bit type and a 27-bit time delta.
 */
public final class RingPage {
    public static final int HEADER = 16;
    private static final long MISSED_EVENTS = 1L << 31;
    private static final long MISSED_STORED = 1L << 30;
    private static final int PADDING = 29;
    private static final int TIME_EXTEND = 30;
    private static final int TIME_STAMP = 31;
    private static final long TS_MSB = 0xf800_0000_0000_0000L;

    /** Receives each data event: its time, and where its record (common_type first) is in the page. */
    public interface Visitor {
        void event(long ts, ByteBuffer page, int offset, int length);
    }

    /** Lost events before this page: none, some (the kernel did not say how many), or a count. */
    public static final long NONE_LOST = -1;
    public static final long SOME_LOST = 0;

    private RingPage() {
    }

    /**
     * Visits the events of the page in {@code page[0, size)} (little-endian) and returns what was lost
     * before it; throws IllegalArgumentException, naming the offset, on a page that does not parse.
     */
    public static long read(ByteBuffer page, int size, Visitor v) {
        long ts = page.getLong(0);
        long commit = page.getLong(8);
        int length = (int) (commit & (MISSED_STORED - 1));
        if (length > size - HEADER) {
            throw new IllegalArgumentException("page commit " + length + " beyond the " + size + " bytes read");
        }
        int end = HEADER + length;
        int p = HEADER;
        while (p + 4 <= end) {
            int h = page.getInt(p);
            int type = h & 0x1f;
            long delta = h >>> 5;
            if (type == PADDING) {
                if (delta == 0) {
                    break; // the rest of the page is padding
                }
                int pad = page.getInt(p + 4);
                if (pad < 0 || p + 4 + pad > end) {
                    throw new IllegalArgumentException("padding at offset " + p + " of " + pad + " bytes");
                }
                p += 4 + pad;
            } else if (type == TIME_EXTEND) {
                ts += (Integer.toUnsignedLong(page.getInt(p + 4)) << 27) | delta;
                p += 8;
            } else if (type == TIME_STAMP) {
                ts = ((Integer.toUnsignedLong(page.getInt(p + 4)) << 27) | delta) | (ts & TS_MSB);
                p += 8;
            } else if (type == 0) {
                int len = page.getInt(p + 4);
                if (len < 4 || p + 4 + len > end) {
                    throw new IllegalArgumentException("event at offset " + p + " has length " + len);
                }
                ts += delta;
                v.event(ts, page, p + 8, len - 4);
                p += 4 + len;
            } else {
                ts += delta;
                v.event(ts, page, p + 4, type * 4);
                p += 4 + type * 4;
            }
        }
        if ((commit & MISSED_EVENTS) == 0) {
            return NONE_LOST;
        }
        return (commit & MISSED_STORED) != 0 && end + 8 <= size ? page.getLong(end) : SOME_LOST;
    }
}
