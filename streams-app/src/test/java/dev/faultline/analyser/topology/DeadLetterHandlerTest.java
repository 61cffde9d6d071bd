package dev.faultline.analyser.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A flood of dead letters is one log line per report interval, the first at once (the tail later, on a timer). */
class DeadLetterHandlerTest {
    @Test
    void reportsTheFirstAtOnceThenOncePerInterval() {
        DeadLetterHandler h = new DeadLetterHandler();
        assertThat(h.counted(1_000, "t-0 offset 1", "bad")).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(h.counted(1_000 + i, "t-0 offset " + i, "bad")).isFalse();
        }
        assertThat(h.counted(1_000 + DeadLetterHandler.REPORT_MS, "t-0 offset 2000", "bad")).isTrue();
        assertThat(h.counted(1_001 + DeadLetterHandler.REPORT_MS, "t-0 offset 2001", "bad")).isFalse();
    }
}
