package dev.faultline.analyser.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.SimpleType;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct path is CEL: for expressions of every construct it takes, over seeded random bindings (each
 * field bound or not, values at the edges of int and uint), it gives what cel-java gives, errors included;
 * and every shipped rule's expressions take it.
 */
class DirectExpressionTest {
    private static final Object[] BOOLS = {true, false};
    private static final Object[] INTS = {-17L, -1L, 0L, 1L, 2L, 39L, Long.MAX_VALUE};
    private static final Object[] UINTS = {UnsignedLong.ZERO, UnsignedLong.ONE, UnsignedLong.valueOf(2), UnsignedLong.valueOf(4096),
        UnsignedLong.valueOf(0x80000010L), UnsignedLong.MAX_VALUE, UnsignedLong.fromLongBits(Long.MIN_VALUE)};
    private static final Object[] STRINGS = {"PageFault", "Mmio", "WRITE", "READ", "UNKNOWN", ""};

    static final List<String> EXPRESSIONS = List.of(
            "vm.private_memory && !mmio.completes_read",
            "fault.private != attr.private",
            "evt.type == \"PageFault\" && !vm.private_memory && vm.type != \"UNKNOWN\" && (pf.guest_enc || pf.private_access)",
            "(evt.type == \"Mmio\" && evt.kind != \"WRITE\") || attr.private",
            "!(fault.private || attr.private) || evt.level >= 2",
            "evt.ret == -17 || evt.level > 1",
            "evt.gpa > 4096u && evt.gpa <= 0x80000010u",
            "evt.level < 2 && evt.level >= -1",
            "evt.gpa >= 0 || evt.ret < 1u",
            "evt.ret == 1 || evt.gpa == 2u || evt.gpa < evt.ret",
            "evt.exit_code == 0x80000010u",
            "evt.kind in [\"READ\", \"WRITE\"] && evt.level in [1, 2, 3]",
            "evt.gpa in [0u, 4096u] || !(evt.ret in [-17, 0])",
            "true && fault.private",
            "false || (attr.private && true)",
            "evt.gpa",
            "evt.ret");

    @AfterEach
    void back() {
        Condition.verifying(Boolean.getBoolean("faultline.rules.verify"));
    }

    static Stream<Arguments> cases() {
        return EXPRESSIONS.stream().flatMap(x -> Stream.of(1L, 2L, 3L).map(seed -> Arguments.of(x, seed)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void givesWhatCelGives(String expression, long seed) throws Exception {
        boolean number = expression.equals("evt.gpa") || expression.equals("evt.ret");
        Condition c = CelEnvironment.compile(expression, number ? SimpleType.DYN : SimpleType.BOOL);
        assertThat(c.isDirect()).as(expression).isTrue();
        Condition.verifying(true);
        Random random = new Random(seed);
        Map<Object, Integer> outcomes = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            Object v = c.evaluate(bindings(random)); // throws if it and CEL differ
            outcomes.merge(v == DirectExpression.ERROR ? "error" : v, 1, Integer::sum);
        }
        assertThat(outcomes).as("%s was tried on bindings that make it differ", expression).hasSizeGreaterThan(1);
    }

    @Test
    void errorsAreAbsorbedWhereCelAbsorbsThem() throws Exception {
        FieldSource none = f -> null;
        assertThat(eval("false && fault.private", none)).isEqualTo(false);
        assertThat(eval("fault.private && false", none)).isEqualTo(false);
        assertThat(eval("fault.private && true", none)).isSameAs(DirectExpression.ERROR);
        assertThat(eval("fault.private || true", none)).isEqualTo(true);
        assertThat(eval("!fault.private", none)).isSameAs(DirectExpression.ERROR);
        assertThat(eval("-1 < 0u", none)).isEqualTo(true);
        assertThat(eval("18446744073709551615u > 1", none)).isEqualTo(true);
        assertThat(eval("-1 >= 18446744073709551615u", none)).isEqualTo(false);
    }

    @Test
    void whatItCannotDoStaysWithCel() throws Exception {
        Condition c = CelEnvironment.compile("evt.gpa + 1u > 4096u", SimpleType.BOOL);
        assertThat(c.isDirect()).isFalse();
        assertThat(c.evaluate(f -> f.name().equals("evt.gpa") ? UnsignedLong.valueOf(5000) : null)).isEqualTo(true);
    }

    @Test
    void aDifferenceStopsTheAnalyserWhenVerifying() throws Exception {
        Condition c = CelEnvironment.compile("vm.private_memory", SimpleType.BOOL);
        Condition.verifying(true);
        // a field that changes between the two reads is the only way to make the paths differ here
        int[] reads = {0};
        FieldSource flip = new FieldSource() {
            @Override
            public Object get(Field f) {
                return reads[0]++ % 2 == 0;
            }

            @Override
            public String toString() {
                return "a flipping source";
            }
        };
        assertThatThrownBy(() -> c.evaluate(flip)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("vm.private_memory").hasMessageContaining("a flipping source");
    }

    @Test
    void everyShippedRuleRunsWithoutTheInterpreter() {
        RuleSet rules = RuleSet.load(Path.of("../rules"));
        assertThat(rules.rules()).hasSizeGreaterThan(10);
        rules.rules().forEach((id, r) -> r.expressions().forEach(x -> assertThat(x.isDirect()).as("%s: %s", id, x).isTrue()));
    }

    private static Object eval(String expression, FieldSource source) throws Exception {
        Condition c = CelEnvironment.compile(expression, SimpleType.BOOL);
        assertThat(c.isDirect()).as(expression).isTrue();
        Condition.verifying(true);
        return c.evaluate(source);
    }

    /** Each field bound (three times in four) to a value of its type, drawn from the edges. */
    private static FieldSource bindings(Random random) {
        Map<String, Object> bound = new HashMap<>();
        return f -> bound.computeIfAbsent(f.name(), n -> {
            if (random.nextInt(4) == 0) {
                return Boolean.FALSE; // marks unbound; see below
            }
            Object[] domain = f.type() == SimpleType.BOOL ? BOOLS : f.type() == SimpleType.INT ? INTS
                    : f.type() == SimpleType.UINT ? UINTS : STRINGS;
            return new Object[] {domain[random.nextInt(domain.length)]};
        }) instanceof Object[] v ? v[0] : null;
    }
}
