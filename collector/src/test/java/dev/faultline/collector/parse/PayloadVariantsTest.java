package dev.faultline.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format a kernel or trace-cmd has printed for a parsed event (resources faultline/variants/payloads.txt,
 * each line labelled with who prints it) becomes the event body it describes: the same exit is the same
 * VcpuExit whether Linux 4.19, 6.14, trace-cmd's kvm plugin or trace-cmd report -R's raw fields printed it.
 */
class PayloadVariantsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PayloadParsers PARSERS = new PayloadParsers();

    static Stream<Arguments> variants() throws IOException {
        try (InputStream in = PayloadVariantsTest.class.getResourceAsStream("/faultline/variants/payloads.txt")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            return lines.stream().map(l -> {
                String[] f = l.split(" \\| ", -1);
                assertThat(f).as(l).hasSize(4);
                return Arguments.of(f[0], f[1], f[2], f[3]);
            });
        }
    }

    @ParameterizedTest(name = "{1} as {0} prints it")
    @MethodSource("variants")
    void becomesTheEventItDescribes(String who, String event, String payload, String expected) throws IOException {
        Object parsed = PARSERS.parse(event, payload);
        if (expected.equals("not forwarded")) {
            assertThat(parsed).as(who).isEqualTo(Decoded.NOT_FORWARDED);
        } else if (!expected.startsWith("{")) { // a syscall's half, as the resolver gets it
            assertThat(parsed).as(who).hasToString(expected);
        } else {
            assertThat(JSON.readTree(parsed.toString())).as(who).isEqualTo(JSON.readTree(expected));
        }
    }
}
