package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every line shape of the kernel's trace files and of trace-cmd report (resources faultline/variants/lines.txt,
 * each labelled with who prints it) reads as what it is: the same event columns, a header, or a loss.
 */
class LineVariantsTest {

    static Stream<Arguments> variants() throws IOException {
        try (InputStream in = LineVariantsTest.class.getResourceAsStream("/faultline/variants/lines.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> {
                        int a = l.indexOf(" | ");
                        int z = l.lastIndexOf(" | ");
                        return Arguments.of(l.substring(0, a), l.substring(a + 3, z), l.substring(z + 3));
                    }).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void readsAsWhatItIs(String who, String line, String expected) {
        assertThat(describe(new LineParser().parse(line))).as(who).isEqualTo(expected);
    }

    private static String describe(ParsedLine p) {
        if (p instanceof TraceLine t) {
            return "event " + (t.comm() == null ? "<...>" : t.comm()) + "|" + t.tid() + "|" + (t.hasTgid() ? t.tgid() : "-")
                    + "|" + t.cpu() + "|" + t.tsNs() + "|" + t.event() + "|" + t.payload();
        }
        if (p instanceof ParsedLine.Loss l) {
            return "loss " + l.cpu() + "|" + l.count();
        }
        return p instanceof ParsedLine.Header ? "header" : p.toString();
    }
}
