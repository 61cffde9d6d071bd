package dev.faultline.collector.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The word-at-a-time search and compare against the obvious byte loops, on seeded random text. */
class AsciiTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234})
    void indexOfFindsTheFirstMatchInAnyRange(long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < 2000; round++) {
            byte[] b = text(r, r.nextInt(40));
            int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            int to = from + r.nextInt(b.length - from + 1);
            char c = (char) "ab:\n".charAt(r.nextInt(4));
            assertThat(Ascii.indexOf(b, from, to, c)).as("seed %d round %d", seed, round).isEqualTo(plainIndexOf(b, from, to, c));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234})
    void rangeEqualsAgreesWithAByteCompare(long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < 2000; round++) {
            int n = r.nextInt(30);
            byte[] a = text(r, n + r.nextInt(5));
            byte[] b = text(r, n + r.nextInt(5));
            int aFrom = r.nextInt(a.length - n + 1);
            int bFrom = r.nextInt(b.length - n + 1);
            if (r.nextBoolean()) {
                System.arraycopy(a, aFrom, b, bFrom, n); // equal, then maybe one byte off anywhere
                if (n > 0 && r.nextBoolean()) {
                    b[bFrom + r.nextInt(n)] ^= 1;
                }
            }
            boolean expected = true;
            for (int k = 0; k < n; k++) {
                expected &= a[aFrom + k] == b[bFrom + k];
            }
            assertThat(Ascii.rangeEquals(a, aFrom, b, bFrom, n)).as("seed %d round %d", seed, round).isEqualTo(expected);
        }
    }

    private static byte[] text(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "ab:\n \u00e9".charAt(r.nextInt(6)); // includes a byte >= 0x80
        }
        return b;
    }

    private static int plainIndexOf(byte[] b, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (b[i] == (byte) c) {
                return i;
            }
        }
        return -1;
    }
}
