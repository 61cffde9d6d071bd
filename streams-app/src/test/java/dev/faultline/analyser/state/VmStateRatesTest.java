package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VmStateRatesTest {
    @Test
    void ratesAreCountsOverTheObservedSpan() {
        VmState s = new VmState();
        assertThat(s.rates()).isEmpty();
        s.firstTsNs = 1_000_000_000L;
        s.lastTsNs = 3_000_000_000L;
        for (int i = 0; i < 10; i++) {
            s.count("faults");
        }
        s.count("mmio");
        assertThat(s.rates()).containsEntry("faults", 5.0).containsEntry("mmio", 0.5);
    }
}
