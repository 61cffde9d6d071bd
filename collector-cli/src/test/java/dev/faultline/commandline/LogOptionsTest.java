package dev.faultline.commandline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogOptionsTest {
    private final PrintStream stderr = System.err;

    @AfterEach
    void restore() throws Exception {
        System.setErr(stderr);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @Test
    void jsonFormatWritesOneJsonObjectPerLogLine() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LogOptions.useJson();
        LoggerFactory.getLogger("dev.faultline.test").warn("sink {} is down", "pager");
        String out = buf.toString(StandardCharsets.UTF_8).trim();
        assertThat(out.lines()).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(out);
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("loggerName").asText()).isEqualTo("dev.faultline.test");
        assertThat(line.get("formattedMessage").asText()).isEqualTo("sink pager is down");
    }
}
