package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hex numbers against a reading of the same digits with BigInteger, on seeded random text. */
class CursorTest {
    private static final String DIGITS = "0123456789abcdefABCDEF";

    /**
     * Runs of 0 to 40 digits (leading zeros often), ended by any byte that is no digit or by the payload's
     * end, with digits past that end in the array: the value, where the number ended, and the refusals of
     * no digits and of more than 64 bits all agree with BigInteger's reading of the run.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234})
    void hexAgreesWithADigitByDigitReading(long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder run = new StringBuilder();
            int zeros = r.nextInt(4) == 0 ? r.nextInt(24) : 0;
            run.append("0".repeat(zeros));
            for (int n = r.nextInt(r.nextBoolean() ? 17 : 41); n > 0; n--) {
                run.append(DIGITS.charAt(r.nextInt(DIGITS.length())));
            }
            int lead = r.nextInt(9);
            byte[] b = new byte[lead + run.length() + 1 + r.nextInt(20)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) DIGITS.charAt(r.nextInt(DIGITS.length())); // digits outside the payload must not count
            }
            for (int k = 0; k < run.length(); k++) {
                b[lead + k] = (byte) run.charAt(k);
            }
            int end = lead + run.length();
            if (r.nextInt(4) > 0) {
                b[end] = noDigit(r, run.isEmpty());
                end += 1 + r.nextInt(b.length - end);
            }
            String what = "seed " + seed + " round " + round + ": '" + run + "' then " + (end > lead + run.length()
                    ? "byte " + (b[lead + run.length()] & 0xff) : "the end");
            Cursor c = new Cursor(b, lead, end);
            BigInteger expected = run.isEmpty() ? null : new BigInteger(run.toString(), 16);
            if (expected == null) {
                assertThatThrownBy(c::hex).as(what).hasMessageContaining("expected a number");
            } else if (expected.bitLength() > 64) {
                assertThatThrownBy(c::hex).as(what).hasMessageContaining("64 bits");
            } else {
                assertThat(c.hex()).as(what).isEqualTo(expected.longValue());
                assertThat(c.column()).as(what).isEqualTo(run.length());
            }
        }
    }

    /**
     * Any byte but a hex digit, often one next to a digit range ('/', ':', '@', 'G', '`', 'g') or with its high bit
     * set; not 'x' or 'X' (after a 0 they start the digits) nor, before an empty run, a space (skipped before a number).
     */
    private static byte noDigit(Random r, boolean emptyRun) {
        byte x = anyNoDigit(r);
        return x == 'x' || x == 'X' || (emptyRun && x == ' ') ? (byte) '/' : x;
    }

    private static byte anyNoDigit(Random r) {
        String near = "/:@G`g \u0000\u007f";
        if (r.nextBoolean()) {
            return (byte) near.charAt(r.nextInt(near.length()));
        }
        if (r.nextBoolean()) {
            return (byte) (0x80 | DIGITS.charAt(r.nextInt(DIGITS.length()))); // a digit's low bits under a high bit
        }
        while (true) {
            byte x = (byte) r.nextInt(256);
            if (DIGITS.indexOf((char) (x & 0xff)) < 0) {
                return x;
            }
        }
    }
}
