package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttributeHistoryTest {
    @TempDir
    Path dir;
    KeyValueStore<Bytes, byte[]> kv;

    @BeforeEach
    void open() {
        kv = RocksStores.open(dir, "hist");
    }

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void attributeOfAGfnAtAnyTime() {
        AttributeHistory h = new AttributeHistory(kv);
        VmState s = new VmState();
        h.record("vm", s, new AttributeHistory.Change(10, 1, 0x100, 0x2ff, 8));
        h.record("vm", s, new AttributeHistory.Change(20, 2, 0x180, 0x18f, 0));
        h.record("vm", s, new AttributeHistory.Change(30, 3, 0x100, 0x2ff, 0));
        h.record("other-vm", new VmState(), new AttributeHistory.Change(15, 4, 0x180, 0x180, 8));
        assertThat(h.attributeAt("vm", s, 0x180, 5)).isZero();
        assertThat(h.attributeAt("vm", s, 0x180, 10)).isEqualTo(8);
        assertThat(h.attributeAt("vm", s, 0x180, 19)).isEqualTo(8);
        assertThat(h.attributeAt("vm", s, 0x180, 20)).isZero();
        assertThat(h.attributeAt("vm", s, 0x190, 25)).as("outside the shared hole").isEqualTo(8);
        assertThat(h.attributeAt("vm", s, 0x190, 30)).isZero();
        assertThat(h.attributeAt("vm", s, 0x300, 25)).isZero();
        assertThat(h.changes("vm", 0, 25)).extracting(AttributeHistory.Change::seq).containsExactly(1L, 2L);
    }

    @Test
    void negativeAndTopOfRangeValuesOrderCorrectly() {
        AttributeHistory h = new AttributeHistory(kv);
        VmState s = new VmState();
        h.record("vm", s, new AttributeHistory.Change(-5, 1, 0, -1L, 8));
        h.record("vm", s, new AttributeHistory.Change(5, 2, -1L, -1L, 0));
        assertThat(h.attributeAt("vm", s, -1L, 0)).isEqualTo(8);
        assertThat(h.attributeAt("vm", s, -1L, 5)).isZero();
        assertThat(h.attributeAt("vm", s, 0x8000000000000000L, 6)).isEqualTo(8);
    }

    @Test
    void retentionIsBoundedAndSaysSo() {
        AttributeHistory h = new AttributeHistory(kv, 100);
        VmState s = new VmState();
        for (int i = 0; i < 150; i++) {
            h.record("vm", s, new AttributeHistory.Change(i, i, i, i, 8));
        }
        assertThat(s.historyEntries).isEqualTo(100);
        assertThat(h.changes("vm", Long.MIN_VALUE, Long.MAX_VALUE)).hasSize(100);
        assertThat(s.historyHorizonNs).isEqualTo(49);
        assertThat(h.attributeAt("vm", s, 10, 20)).as("before the horizon: unknown, not shared").isNull();
        assertThat(h.attributeAt("vm", s, 120, 130)).isEqualTo(8);
    }

    @Test
    void rangesAsOfATime() {
        AttributeHistory h = new AttributeHistory(kv);
        VmState s = new VmState();
        h.record("vm", s, new AttributeHistory.Change(10, 1, 0x100, 0x2ff, 8));
        h.record("vm", s, new AttributeHistory.Change(20, 2, 0x180, 0x18f, 0));
        h.record("vm", s, new AttributeHistory.Change(30, 3, 0x100, 0x2ff, 0));
        assertThat(h.rangesAt("vm", s, 0, -1L, 5, 10)).isEmpty();
        assertThat(h.rangesAt("vm", s, 0, -1L, 25, 10)).containsExactly(
                new Interval(0x100, 0x17f, 8), new Interval(0x190, 0x2ff, 8));
        assertThat(h.rangesAt("vm", s, 0x150, 0x1a0, 25, 10)).as("clipped to the window").containsExactly(
                new Interval(0x150, 0x17f, 8), new Interval(0x190, 0x1a0, 8));
        assertThat(h.rangesAt("vm", s, 0, -1L, 25, 1)).as("capped").hasSize(1);
        assertThat(h.rangesAt("vm", s, 0, -1L, 30, 10)).isEmpty();
    }

    /** The rebuilt past equals a page-by-page model after random conversions, at every time. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void rangesAtMatchAPageModel(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        AttributeHistory h = new AttributeHistory(kv);
        VmState s = new VmState();
        long[][] pagesAt = new long[41][64];
        for (int t = 1; t <= 40; t++) {
            pagesAt[t] = pagesAt[t - 1].clone();
            int a = rnd.nextInt(64);
            int b = a + rnd.nextInt(64 - a);
            long v = rnd.nextInt(3) == 0 ? 0 : 8;
            java.util.Arrays.fill(pagesAt[t], a, b + 1, v);
            h.record("vm", s, new AttributeHistory.Change(t, t, a, b, v));
        }
        for (int t = 0; t <= 40; t++) {
            long[] got = new long[64];
            for (Interval i : h.rangesAt("vm", s, 0, 63, t, 1000)) {
                for (long g = i.first(); g <= i.last(); g++) {
                    got[(int) g] = i.value();
                }
            }
            assertThat(got).as("time %d", t).containsExactly(pagesAt[t]);
        }
    }
}
