package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntervalStoreTest {
    static final long MAX = -1L; // 2^64-1
    static final String VM = "h/1/5@1.0";

    @TempDir
    Path dir;
    KeyValueStore<Bytes, byte[]> kv;
    IntervalStore s;

    @BeforeEach
    void open() {
        kv = RocksStores.open(dir, "intervals");
        s = new IntervalStore(kv);
    }

    @AfterEach
    void close() {
        kv.close();
    }

    /** A capped read returns the first intervals in order, across chunks, and no more. */
    @Test
    void cappedOverlapReturnsTheFirstIntervalsOnly() {
        for (long x = 0; x < 1000; x += 2) {
            s.put(VM, x, x, 8); // 500 separate pages: several chunks
        }
        assertThat(s.chunkCount(VM)).isGreaterThan(3);
        List<Interval> all = s.overlapping(VM, 10, MAX);
        assertThat(all).hasSize(495);
        assertThat(s.overlapping(VM, 10, MAX, 150)).containsExactlyElementsOf(all.subList(0, 150));
        assertThat(s.overlapping(VM, 10, MAX, 0)).isEmpty();
        assertThat(s.overlapping(VM, 10, MAX, 1000)).isEqualTo(all);
    }

    /** What a query sees: the same intervals, and no way to change them. */
    @Test
    void readOnlyViewReadsTheSameAndRefusesWrites() {
        s.put(VM, 0x10, 0x1f, 8);
        s.put(VM, 0x40, 0x4f, 8);
        IntervalStore view = new IntervalStore(ByteStore.readOnly(kv));
        assertThat(view.all(VM)).isEqualTo(s.all(VM));
        assertThat(view.get(VM, 0x41)).isEqualTo(8L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> view.put(VM, 0, 1, 8))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.all(VM)).hasSize(2);
    }

    @Test
    void emptyMapHasNothing() {
        assertThat(s.get(VM, 0)).isNull();
        assertThat(s.get(VM, MAX)).isNull();
        assertThat(s.all(VM)).isEmpty();
    }

    @Test
    void splitInTheMiddle() {
        s.put(VM, 0x100, 0x2ff, 8);
        s.put(VM, 0x180, 0x1ff, 0);
        assertThat(s.all(VM)).containsExactly(new Interval(0x100, 0x17f, 8), new Interval(0x180, 0x1ff, 0),
                new Interval(0x200, 0x2ff, 8));
        assertThat(s.get(VM, 0x17f)).isEqualTo(8);
        assertThat(s.get(VM, 0x180)).isZero();
        assertThat(s.get(VM, 0x300)).isNull();
    }

    @Test
    void equalNeighboursMerge() {
        s.put(VM, 0x100, 0x1ff, 8);
        s.put(VM, 0x300, 0x3ff, 8);
        s.put(VM, 0x200, 0x2ff, 8);
        assertThat(s.all(VM)).containsExactly(new Interval(0x100, 0x3ff, 8));
        s.put(VM, 0x180, 0x1ff, 0);
        s.put(VM, 0x180, 0x1ff, 8);
        assertThat(s.all(VM)).containsExactly(new Interval(0x100, 0x3ff, 8));
    }

    @Test
    void differentNeighboursDoNotMerge() {
        s.put(VM, 0x100, 0x1ff, 8);
        s.put(VM, 0x200, 0x2ff, 0);
        assertThat(s.all(VM)).hasSize(2);
    }

    @Test
    void overwriteSpanningSeveral() {
        s.put(VM, 0, 9, 1);
        s.put(VM, 10, 19, 2);
        s.put(VM, 20, 29, 3);
        s.put(VM, 5, 24, 7);
        assertThat(s.all(VM)).containsExactly(new Interval(0, 4, 1), new Interval(5, 24, 7), new Interval(25, 29, 3));
        assertThat(s.overlapping(VM, 3, 6)).containsExactly(new Interval(3, 4, 1), new Interval(5, 6, 7));
    }

    @Test
    void clearKeepsOutsideParts() {
        s.put(VM, 0, 99, 8);
        s.clear(VM, 10, 19);
        assertThat(s.all(VM)).containsExactly(new Interval(0, 9, 8), new Interval(20, 99, 8));
        s.clear(VM, 0, MAX);
        assertThat(s.all(VM)).isEmpty();
    }

    @Test
    void wholeSixtyFourBitSpaceIsOneEntry() {
        s.put(VM, 0, MAX, 8);
        assertThat(s.all(VM)).containsExactly(new Interval(0, MAX, 8));
        assertThat(s.get(VM, MAX)).isEqualTo(8);
        assertThat(s.get(VM, Long.MIN_VALUE)).isEqualTo(8);
        assertThat(new Interval(0, MAX, 8).pages()).isEqualTo(MAX);
    }

    @Test
    void topEdgeIsUnsigned() {
        s.put(VM, MAX - 1, MAX, 8);
        s.put(VM, 0x8000000000000000L, 0x8000000000000000L, 8); // above Long.MAX_VALUE, below the top
        s.put(VM, 1, 1, 8);
        assertThat(s.all(VM)).extracting(Interval::first).containsExactly(1L, 0x8000000000000000L, MAX - 1);
        assertThat(s.get(VM, MAX)).isEqualTo(8);
        assertThat(s.get(VM, 0x7fffffffffffffffL)).isNull();
        s.put(VM, 0x8000000000000001L, MAX - 2, 8);
        assertThat(s.all(VM)).containsExactly(new Interval(1, 1, 8), new Interval(0x8000000000000000L, MAX, 8));
    }

    @Test
    void spacesDoNotLeakIntoEachOther() {
        s.put("a/1", 0, 10, 8);
        s.put("a/10", 0, 10, 1);
        s.put("a/1\u0001", 5, 5, 2);
        assertThat(s.all("a/1")).containsExactly(new Interval(0, 10, 8));
        assertThat(s.get("a/10", 3)).isEqualTo(1);
        s.drop("a/1");
        assertThat(s.all("a/1")).isEmpty();
        assertThat(s.all("a/10")).hasSize(1);
    }

    @Test
    void manyTinyRangesStayRanges() {
        for (long g = 0; g < 10_000; g += 2) {
            s.put(VM, g, g, 8);
        }
        assertThat(s.all(VM)).hasSize(5_000);
        for (long g = 1; g < 10_000; g += 2) {
            s.put(VM, g, g, 8);
        }
        assertThat(s.all(VM)).containsExactly(new Interval(0, 9_999, 8));
    }

    /** Against a page-by-page model over a small space, seeded. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2024})
    void agreesWithAPageModel(long seed) {
        Random r = new Random(seed);
        TreeMap<Long, Long> model = new TreeMap<>();
        for (int op = 0; op < 400; op++) {
            long a = r.nextInt(200);
            long b = a + r.nextInt(40);
            long v = r.nextInt(3);
            if (r.nextInt(5) == 0) {
                s.clear(VM, a, b);
                for (long x = a; x <= b; x++) {
                    model.remove(x);
                }
            } else {
                s.put(VM, a, b, v);
                for (long x = a; x <= b; x++) {
                    model.put(x, v);
                }
            }
        }
        for (long x = 0; x < 260; x++) {
            assertThat(s.get(VM, x)).as("page %d", x).isEqualTo(model.get(x));
        }
        List<Interval> all = s.all(VM);
        for (int i = 1; i < all.size(); i++) {
            Interval prev = all.get(i - 1);
            Interval cur = all.get(i);
            assertThat(Long.compareUnsigned(prev.last(), cur.first())).isLessThan(0);
            // maximal: adjacent intervals never share a value
            if (prev.last() + 1 == cur.first()) {
                assertThat(prev.value()).isNotEqualTo(cur.value());
            }
        }
    }
}
