package dev.faultline.collector.source.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ring-buffer pages built by hand with every header type the kernel writes. */
class RingPageTest {
    private record Seen(long ts, int offset, int length) {
    }

    private static final class Page {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        int p = RingPage.HEADER;

        Page(long ts) {
            b.putLong(0, ts);
        }

        Page data(int delta, int words) {
            b.putInt(p, (delta << 5) | words);
            b.putShort(p + 4, (short) 38);
            p += 4 + words * 4;
            return this;
        }

        Page longData(int delta, int bytes) {
            b.putInt(p, delta << 5);
            b.putInt(p + 4, bytes + 4);
            p += 8 + bytes;
            return this;
        }

        Page extend(long delta) {
            b.putInt(p, (int) ((delta & ((1 << 27) - 1)) << 5) | 30);
            b.putInt(p + 4, (int) (delta >>> 27));
            p += 8;
            return this;
        }

        Page padding(int bytes) {
            b.putInt(p, (1 << 5) | 29);
            b.putInt(p + 4, bytes);
            p += 4 + bytes;
            return this;
        }

        List<Seen> read(long flags, long[] lost) {
            b.putLong(8, (p - RingPage.HEADER) | flags);
            List<Seen> out = new ArrayList<>();
            lost[0] = RingPage.read(b, 4096, (ts, page, off, len) -> out.add(new Seen(ts, off, len)));
            return out;
        }
    }

    @Test
    void eventsTimeDeltasExtendsAndPadding() {
        long[] lost = new long[1];
        List<Seen> seen = new Page(1_000).data(5, 6).extend(1L << 30).data(7, 3).padding(12).longData(2, 200)
                .read(0, lost);
        assertThat(seen).containsExactly(new Seen(1_005, 20, 24), new Seen(1_005 + (1L << 30) + 7, 56, 12),
                new Seen(1_005 + (1L << 30) + 9, 92, 200));
        assertThat(lost[0]).isEqualTo(RingPage.NONE_LOST);
    }

    @Test
    void lostEventsFlaggedWithAndWithoutACount() {
        long[] lost = new long[1];
        Page counted = new Page(1).data(0, 4);
        counted.b.putLong(counted.p, 1234);
        counted.read((1L << 31) | (1L << 30), lost);
        assertThat(lost[0]).isEqualTo(1234);
        new Page(1).data(0, 4).read(1L << 31, lost);
        assertThat(lost[0]).isEqualTo(RingPage.SOME_LOST);
    }

    @Test
    void aCorruptPageIsRefusedNotGuessed() {
        Page bad = new Page(1);
        bad.b.putInt(bad.p, 0);
        bad.b.putInt(bad.p + 4, 9000);
        bad.p += 16;
        assertThatThrownBy(() -> bad.read(0, new long[1])).hasMessageContaining("has length 9000");
    }

    /** A trace.dat's pages come from a file: a padding record of a negative length is an error, not a loop. */
    @Test
    void aPaddingOfANegativeLengthIsAnError() {
        Page p = new Page(100).data(1, 2);
        p.b.putInt(p.p, (1 << 5) | 29);
        p.b.putInt(p.p + 4, -4); // would step back onto itself
        p.p += 8;
        assertThatThrownBy(() -> p.read(0, new long[1])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding");
    }
}
