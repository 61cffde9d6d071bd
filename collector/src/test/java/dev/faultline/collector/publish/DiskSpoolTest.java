package dev.faultline.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {

    @Test
    void inOrderBoundedAndKeptAcrossARestart(@TempDir Path dir) throws Exception {
        DiskSpool s = new DiskSpool(dir, 100);
        assertThat(s.append(new byte[] {1, 2, 3})).isTrue();
        assertThat(s.append(new byte[] {4})).isTrue();
        assertThat(s.append(new byte[90])).as("past the bound").isFalse();
        assertThat(s.bytes()).isEqualTo(4 + 3 + 4 + 1);

        DiskSpool again = new DiskSpool(dir, 100);
        assertThat(again.bytes()).as("a spool left by an earlier run is found").isEqualTo(12);
        DiskSpool.Segment seg = again.oldest();
        assertThat(seg.records()).containsExactly(new byte[] {1, 2, 3}, new byte[] {4});
        again.delete(seg);
        assertThat(again.isEmpty()).isTrue();
        assertThat(again.oldest()).isNull();
    }

    @Test
    void appendsAfterReadingGoToANewSegment(@TempDir Path dir) throws Exception {
        DiskSpool s = new DiskSpool(dir, 1 << 20);
        s.append(new byte[] {1});
        DiskSpool.Segment first = s.oldest();
        s.append(new byte[] {2});
        assertThat(first.records()).containsExactly(new byte[] {1});
        s.delete(first);
        assertThat(s.oldest().records()).containsExactly(new byte[] {2});
    }
}
