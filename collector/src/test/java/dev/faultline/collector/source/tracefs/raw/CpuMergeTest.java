package dev.faultline.collector.source.tracefs.raw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuMergeTest {
    private final List<String> out = new ArrayList<>();

    @Test
    void aLineWaitsUntilEveryCpuHasBeenReadPastIt() {
        CpuMerge<String> m = new CpuMerge<>(2);
        m.add(0, new long[] {10, 30}, new String[] {"a10", "a30"}, 2, 30);

        assertThat(m.emit(Long.MIN_VALUE, out::add)).isEqualTo(Long.MIN_VALUE);
        assertThat(out).as("cpu 1 not read yet: it may still hold something older").isEmpty();

        m.add(1, new long[] {20}, new String[] {"b20"}, 1, 20);
        assertThat(m.emit(Long.MIN_VALUE, out::add)).isEqualTo(20);
        assertThat(out).containsExactly("a10", "b20");
    }

    @Test
    void aMarkerOnAQuietCpuSettlesItWithoutLines() {
        CpuMerge<String> m = new CpuMerge<>(2);
        m.add(0, new long[] {10, 30}, new String[] {"a10", "a30"}, 2, 30);
        m.add(1, new long[0], new String[0], 0, 35); // a page holding only a tick

        m.emit(Long.MIN_VALUE, out::add);
        assertThat(out).containsExactly("a10", "a30");
    }

    @Test
    void theFloorStandsInForACpuThatCannotBeTicked() {
        CpuMerge<String> m = new CpuMerge<>(2);
        m.add(0, new long[] {10, 30}, new String[] {"a10", "a30"}, 2, 30);

        assertThat(m.emit(15, out::add)).isEqualTo(15);
        assertThat(out).containsExactly("a10");
    }

    @Test
    void flushHandsOverTheRestInTimeOrder() {
        CpuMerge<String> m = new CpuMerge<>(3);
        m.add(2, new long[] {5, 40}, new String[] {"c5", "c40"}, 2, 40);
        m.add(0, new long[] {7}, new String[] {"a7"}, 1, 7);

        m.flush(out::add);
        assertThat(out).containsExactly("c5", "a7", "c40");
    }
}
