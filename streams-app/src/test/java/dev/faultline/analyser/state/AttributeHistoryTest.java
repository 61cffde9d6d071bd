package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
