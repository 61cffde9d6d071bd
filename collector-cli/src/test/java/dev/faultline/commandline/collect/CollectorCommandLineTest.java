package dev.faultline.commandline.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.commandline.CapturedRun;
import dev.faultline.commandline.CommandLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector archive's command line: collect and doctor only, and a doctor that says it checked no rules. */
class CollectorCommandLineTest {
    static CapturedRun run(Map<String, String> env, String... args) {
        return CapturedRun.of(() -> CommandLines.execute(CollectorCommandLine.commandLine(), env::get, args));
    }

    @Test
    void onlyCollectAndDoctor() {
        assertThat(CollectorCommandLine.commandLine().getSubcommands()).containsOnlyKeys("collect", "doctor", "help");
        CapturedRun r = run(Map.of(), "check", "x.trace");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument").contains("check");
    }

    @Test
    void collectReplaysATrace() {
        CapturedRun r = run(Map.of(), "collect", "--source", "replay:../scenarios/demo-snp.trace", "--output", "jsonl", "--host", "h");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("{\"type\":\"VmCreated\"").contains("{\"type\":\"GmemInvalidation\"");
    }

    @Test
    void doctorSaysItCheckedNoRules() {
        CapturedRun r = run(Map.of(), "doctor", "--format", "json");
        assertThat(r.out()).contains("\"rules_problem\":\"" + DoctorCommand.NO_RULE_ENGINE + "\"")
                .contains("\"rules_without_data\":[]");
        CapturedRun withRules = run(Map.of(), "doctor", "--rules", "../rules");
        assertThat(withRules.code()).isEqualTo(2);
        assertThat(withRules.err()).contains("no rule engine");
    }

    /** A config file shared with the analyser's hosts names a command this archive lacks: refused, by name. */
    @Test
    void configSectionsOfOtherCommandsAreNamed(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("f.yaml"), "analyse:\n  rules: /opt/faultline/rules\n");
        CapturedRun r = run(Map.of(), "--config", cfg.toString(), "doctor");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'analyse' is not a command (known: collect, doctor");
    }
}
