package dev.faultline.analyser.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.analyser.rules.RuleFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
    @TempDir
    Path dir;

    List<SinkChannel> load(String yaml, Map<String, String> env) throws Exception {
        Path f = Files.writeString(dir.resolve("sinks.yaml"), yaml);
        return SinkConfig.load(f, env::get);
    }

    @Test
    void everyKind() throws Exception {
        List<SinkChannel> s = load("""
                - sink: log
                - sink: webhook
                  url: http://127.0.0.1:9/hook
                  secret: ${HOOK_SECRET}
                  min_priority: warning
                  rules: [private-fault-emulated-mmio]
                - sink: alertmanager
                  url: http://127.0.0.1:9093
                  retry: {attempts: 3, initial_backoff: 100ms, max_backoff: 2s}
                - sink: slack
                  name: chat
                  url: https://hooks.example/T/B/X
                  queue: 50
                """, Map.of("HOOK_SECRET", "x"));
        try {
            assertThat(s).extracting(c -> c.stats().name()).containsExactly("log", "webhook", "alertmanager", "chat");
            assertThat(s).extracting(c -> c.stats().kind()).containsExactly("log", "webhook", "alertmanager", "slack");
        } finally {
            s.forEach(SinkChannel::close);
        }
    }

    @Test
    void errorsNameFileLineAndSink() {
        assertThatThrownBy(() -> load("- sink: pager\n", Map.of())).isInstanceOf(RuleFileException.class)
                .hasMessageContaining("sinks.yaml:1").hasMessageContaining("one of log, webhook");
        assertThatThrownBy(() -> load("- sink: webhook\n  url: http://x/\n  secret: ${NOPE}\n", Map.of()))
                .hasMessageContaining("NOPE is not set");
        assertThatThrownBy(() -> load("- sink: slack\n  url: ftp://x\n", Map.of())).hasMessageContaining("sinks.yaml:2")
                .hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> load("- sink: log\n  min_priority: loud\n", Map.of())).hasMessageContaining("min_priority");
        assertThatThrownBy(() -> load("- sink: log\n  colour: red\n", Map.of())).hasMessageContaining("unknown key 'colour'");
        assertThatThrownBy(() -> load("- sink: log\n- sink: log\n", Map.of())).hasMessageContaining("defined twice");
    }
}
