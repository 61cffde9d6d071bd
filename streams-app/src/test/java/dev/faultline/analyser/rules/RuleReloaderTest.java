package dev.faultline.analyser.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleReloaderTest {
    static final String RULE = """
            - rule: r1
              desc: d
              condition: evt.type == "Mmio"
              output: o
              priority: warning
              enabled: %s
            """;

    @Test
    void editsTakeEffectAndBrokenEditsKeepTheOldRules(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, RULE.formatted("true"));
        try (RuleReloader reloader = new RuleReloader(dir, Duration.ofHours(1))) {
            assertThat(reloader.get().enabled()).hasSize(1);

            write(f, RULE.formatted("false"), 1);
            reloader.checkNow();
            assertThat(reloader.get().enabled()).isEmpty();
            assertThat(reloader.reloads()).isEqualTo(1);

            write(f, RULE.formatted("true").replace("evt.type", "evt.nope"), 2);
            reloader.checkNow();
            assertThat(reloader.get().enabled()).as("the previous rules stay in force").isEmpty();
            assertThat(reloader.get().rules()).containsKey("r1");
            assertThat(reloader.lastError()).contains("r.yaml").contains("rule 'r1'");

            write(f, RULE.formatted("true"), 3);
            reloader.checkNow();
            assertThat(reloader.get().enabled()).hasSize(1);
            assertThat(reloader.lastError()).isNull();
        }
    }

    @Test
    void thePollerPicksUpChanges(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, RULE.formatted("true"));
        try (RuleReloader reloader = new RuleReloader(dir, Duration.ofMillis(50))) {
            write(f, RULE.formatted("false"), 1);
            long deadline = System.currentTimeMillis() + 10_000;
            while (!reloader.get().enabled().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(reloader.get().enabled()).isEmpty();
        }
    }

    /** Writes and moves the modification time on, so a same-size edit within a clock tick still counts. */
    private static void write(Path f, String text, int step) throws Exception {
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(step)));
    }
}
