package dev.faultline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParamsTest {
    @Test
    void gfnsInHexAndDecimalUpToTheTopOfTheSpace() {
        assertThat(Params.gfn("gfn", "0x200")).isEqualTo(0x200);
        assertThat(Params.gfn("gfn", "512")).isEqualTo(512);
        assertThat(Params.gfn("gfn", "0xffffffffffffffff")).isEqualTo(-1L);
        assertThat(Params.gfn("gfn", "18446744073709551615")).isEqualTo(-1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0x", "-1", "0x1g", "18446744073709551616", "0x10000000000000000", "1e3", " 1"})
    void badGfnsAre400sNamingTheParameter(String raw) {
        assertThatThrownBy(() -> Params.gfn("first", raw)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("'first'");
        });
    }

    @Test
    void timesInNanosecondsOrTraceSeconds() {
        assertThat(Params.time("at", null)).isNull();
        assertThat(Params.time("at", "100000754000")).isEqualTo(100_000_754_000L);
        assertThat(Params.time("at", "100.000754")).isEqualTo(100_000_754_000L);
        assertThat(Params.time("at", "100.5")).isEqualTo(100_500_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "1.", ".5", "1.0000000001", "99999999999999999999", "-5"})
    void badTimesAre400s(String raw) {
        assertThatThrownBy(() -> Params.time("at", raw)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getMessage()).contains("'at'"));
    }

    @Test
    void vmIdsAreRequiredAndBounded() {
        assertThat(Params.vm("h/1/2@3.4")).isEqualTo("h/1/2@3.4");
        assertThatThrownBy(() -> Params.vm(null)).hasMessageContaining("'vm' is required");
        assertThatThrownBy(() -> Params.vm("x".repeat(Params.MAX_VM_ID + 1))).hasMessageContaining("longer than");
    }
}
