package dev.faultline.collector.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {

    @Test
    void aCleanRestartContinuesACrashLeavesAGapNeverARepeat(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("seq");
        SequenceStore s = SequenceStore.open(f);
        assertThat(s.next()).isEqualTo(1);
        assertThat(s.next()).isEqualTo(2);
        s.close();
        SequenceStore again = SequenceStore.open(f);
        assertThat(again.next()).as("continues after a clean stop").isEqualTo(3);
        for (int i = 0; i < 10; i++) {
            again.next();
        }
        // no close: a crash
        SequenceStore afterCrash = SequenceStore.open(f);
        long n = afterCrash.next();
        assertThat(n).as("past everything handed out before the crash").isGreaterThan(13);
        assertThat(n).isLessThanOrEqualTo(3 + SequenceStore.BLOCK);
        Files.writeString(f, "garbage");
        assertThatThrownBy(() -> SequenceStore.open(f)).hasMessageContaining("not a sequence number");
    }
}
