package dev.faultline.collector.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntMapTest {

    /**
     * Random puts, removals and bulk removals over a small key range (long probe runs, every removal
     * shifting entries back), checked after each step against a HashMap.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 17, 4242, 99991})
    void behavesAsAHashMap(long seed) {
        Random r = new Random(seed);
        IntMap<String> map = new IntMap<>();
        Map<Integer, String> expected = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            int key = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(300) - 20; // dense ids, a few negative, a few anywhere
            int op = r.nextInt(10);
            if (op < 5) {
                String v = "v" + step;
                assertThat(map.put(key, v)).isEqualTo(expected.put(key, v));
            } else if (op < 9) {
                assertThat(map.remove(key)).isEqualTo(expected.remove(key));
            } else {
                int parity = r.nextInt(2);
                map.removeValues(v -> v.length() % 2 == parity);
                expected.values().removeIf(v -> v.length() % 2 == parity);
            }
            assertThat(map.size()).isEqualTo(expected.size());
            if (step % 500 == 0) {
                for (int k = -20; k < 280; k++) {
                    assertThat(map.get(k)).as("key %d at step %d", k, step).isEqualTo(expected.get(k));
                }
                assertThat(map.values()).containsExactlyInAnyOrderElementsOf(expected.values());
            }
        }
        expected.forEach((k, v) -> assertThat(map.get(k)).isEqualTo(v));
    }

    @Test
    void nullValuesAreRefused() {
        assertThatThrownBy(() -> new IntMap<String>().put(7, null)).hasMessageContaining("key 7");
        assertThat(new IntMap<String>().get(7)).isNull();
        assertThat(new IntMap<String>().remove(7)).isNull();
    }
}
