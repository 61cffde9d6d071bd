package dev.faultline.cli;

import dev.faultline.commandline.CapturedRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flags over environment over config file over defaults; the reference page is the code's. */
class ConfigTest {
    static final String TRACE = CliTest.REAL + "mmio_pio_longmode.trace";

    static String hostOf(CapturedRun r) {
        int at = r.out().indexOf("\"host\":\"");
        return r.out().substring(at + 8, r.out().indexOf('"', at + 8));
    }

    static CapturedRun run(Map<String, String> env, String... args) {
        return CapturedRun.of(() -> Faultline.run(env::get, args));
    }

    @Test
    void flagBeatsEnvironmentBeatsFile(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("faultline.yaml"), "collect:\n  host: from-file\n  output: jsonl\n");
        String[] base = {"collect", "--config", cfg.toString(), "--source", "replay:" + TRACE};
        assertThat(hostOf(run(Map.of(), base))).isEqualTo("from-file");
        assertThat(hostOf(run(Map.of("FAULTLINE_COLLECT_HOST", "from-env"), base))).isEqualTo("from-env");
        String[] flagged = java.util.Arrays.copyOf(base, base.length + 2);
        flagged[base.length] = "--host";
        flagged[base.length + 1] = "from-flag";
        assertThat(hostOf(run(Map.of("FAULTLINE_COLLECT_HOST", "from-env"), flagged))).isEqualTo("from-flag");
        // the file can also be named by the environment
        assertThat(hostOf(run(Map.of("FAULTLINE_CONFIG", cfg.toString()), "collect", "--source", "replay:" + TRACE)))
                .isEqualTo("from-file");
    }

    @Test
    void unknownKeysAndBadValuesAreNamed(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("bad.yaml"), "collect:\n  spool-dir-typo: /x\nnosuchcommand:\n  a: 1\n");
        CapturedRun r = run(Map.of(), "collect", "--config", cfg.toString(), "--source", "replay:" + TRACE, "--output", "jsonl");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.yaml").contains("'collect.spool-dir-typo' is not an option")
                .contains("'nosuchcommand' is not a command");
        Path typed = Files.writeString(tmp.resolve("typed.yaml"), "collect:\n  spool-max-mb: lots\n");
        CapturedRun t = run(Map.of(), "collect", "--config", typed.toString(), "--source", "replay:" + TRACE, "--output", "jsonl");
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("--spool-max-mb").contains("lots");
    }

    @Test
    void theReferencePageIsInStepWithTheCode() throws Exception {
        CapturedRun r = run(Map.of(), "config", "docs");
        assertThat(r.out()).isEqualTo(Files.readString(Path.of("../docs/configuration.md")));
        assertThat(r.out()).contains("`collect.spool-dir`").contains("FAULTLINE_ANALYSE_BOOTSTRAP_SERVERS");
    }
}
