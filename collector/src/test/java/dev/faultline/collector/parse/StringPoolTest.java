package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pool answers what decoding the bytes answers, whatever was pooled before; a repeat is the same String. */
class StringPoolTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234})
    void everyLookupDecodesToTheBytesAskedFor(long seed) {
        Random r = new Random(seed);
        StringPool pool = new StringPool(1); // two slots: names keep meeting each other's entries
        byte[][] names = new byte[40][];
        for (int i = 0; i < names.length; i++) {
            names[i] = name(r, r.nextInt(45));
        }
        for (int round = 0; round < 20_000; round++) {
            byte[] name = names[r.nextInt(names.length)].clone();
            if (name.length > 0 && r.nextInt(4) == 0) {
                name[r.nextInt(name.length)] ^= 1; // one byte off anywhere, the words past 8, 16 and 24 included
            }
            if (r.nextInt(8) == 0) {
                name = Arrays.copyOf(name, name.length + 1); // the same bytes and a zero: longer
            }
            // the name inside a line, or at the very end of the array (no whole word after it)
            int before = r.nextInt(20);
            int after = r.nextBoolean() ? 0 : r.nextInt(20);
            byte[] line = new byte[before + name.length + after];
            System.arraycopy(name, 0, line, before, name.length);
            String got = pool.of(line, before, before + name.length);
            assertThat(got).as("seed %d round %d", seed, round).isEqualTo(new String(name, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aRepeatedNameIsTheSameStringWhateverSurroundsIt() {
        StringPool pool = new StringPool();
        byte[] a = "    CPU 0/KVM-1234 kvm_mmu_set_spte_and_something_long: ".getBytes(StandardCharsets.UTF_8);
        byte[] b = "    CPU 0/KVM_9876 kvm_mmu_set_spte_and_something_long!!".getBytes(StandardCharsets.UTF_8);
        String first = pool.of(a, 4, 13);
        assertThat(pool.of(b, 4, 13)).isSameAs(first).isEqualTo("CPU 0/KVM");
        String longName = pool.of(a, 19, a.length - 2);
        assertThat(pool.of(b, 19, b.length - 2)).isSameAs(longName).isEqualTo("kvm_mmu_set_spte_and_something_long");
        assertThat(pool.of(a, 3, 3)).isEmpty();
    }

    @Test
    void aPoolWithoutSlotsIsRefused() {
        assertThatThrownBy(() -> new StringPool(0)).hasMessageContaining("not 0");
    }

    private static byte[] name(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "kvm_ab0\u00e9".charAt(r.nextInt(8)); // a byte >= 0x80 too (the first of a pair: still bytes in, String out)
        }
        return b;
    }
}
