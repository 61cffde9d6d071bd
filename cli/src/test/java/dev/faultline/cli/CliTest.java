package dev.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faultline.commandline.CapturedRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {
    static final String SCENARIO = "../scenarios/demo-snp.trace";
    static final String REAL = System.getProperty("shared.dir", "../../shared") + "/fixtures/real/";
    static final ObjectMapper JSON = new ObjectMapper();

    static CapturedRun run(String... args) {
        return CapturedRun.of(() -> Faultline.run(args));
    }

    @Test
    void parseBenchPrintsItsRateAndWhereTheTimeGoes() {
        CapturedRun r = run("bench", "parse", "--events", "3000", "--passes", "3", "--warmup-seconds", "0.5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("warm-up 2: ") // more than one warm-up pass of a trace this small in 0.5 s
                .containsPattern("pass 3: ")
                .containsPattern("best: [\\d,]+ events/s = \\d+\\.\\d\\d x the 2 M events/s target "
                        + "\\(median of the passes [\\d,]+ = \\d+\\.\\d\\d x\\)")
                .containsPattern("full pipeline +: +\\d+")
                .containsPattern("parse \\+ resolve, no Avro : +\\d+")
                .containsPattern("Avro encoding alone +: +\\d+ +\\(\\d+\\.\\d\\d x the budget\\)")
                .containsPattern("floor: each byte read once: +\\d+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "collect", "check", "analyse", "demo", "rules", "rules test", "rules validate", "rules fields"})
    void everyCommandHasHelp(String command) {
        String[] words = command.isEmpty() ? new String[0] : command.split(" ");
        String[] args = java.util.Arrays.copyOf(words, words.length + 1);
        args[words.length] = "--help";
        CapturedRun r = run(args);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: faultline");
    }

    @Test
    void checkOnTheScenarioExits1AndNamesBothRules() {
        CapturedRun r = run("check", "--rules", "../rules", SCENARIO);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("private-fault-emulated-mmio").contains("gmem-invalidation-outside-binding")
                .contains("2 alert(s)");
    }

    @Test
    void checkJsonHasOneObjectPerAlertWithTheRequiredFields() throws Exception {
        CapturedRun r = run("check", "--rules", "../rules", "--format", "json", SCENARIO);
        assertThat(r.code()).isEqualTo(1);
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            alerts.add(JSON.readTree(line));
        }
        assertThat(alerts).hasSize(2);
        for (JsonNode a : alerts) {
            assertThat(a.has("rule") && a.has("priority") && a.has("vm") && a.has("gfn_start") && a.has("gfn_end")
                    && a.has("message")).isTrue();
            assertThat(a.get("evidence").isArray()).isTrue();
            assertThat(a.get("evidence").get(0).isNumber()).isTrue();
        }
    }

    @Test
    void checkOnATraceWithoutViolationExits0() {
        CapturedRun r = run("check", "--rules", "../rules", REAL + "gmem_create_bind_punch.trace", REAL + "mmio_pio_longmode.trace");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("0 alert(s)");
    }

    /** Only the punch-hole violation (priority error) left: --fail-on decides the exit code, the alert still prints. */
    @Test
    void failOnSetsTheThreshold(@TempDir Path tmp) throws Exception {
        Path onlyPunch = tmp.resolve("only-punch.trace");
        Files.write(onlyPunch, Files.readAllLines(Path.of(SCENARIO)).stream()
                .filter(l -> !l.contains("kvm_mmio: mmio write len 4 gpa 0x200000")).toList());
        CapturedRun critical = run("check", "--rules", "../rules", "--fail-on", "critical", onlyPunch.toString());
        assertThat(critical.code()).isZero();
        assertThat(critical.out()).contains("gmem-invalidation-outside-binding").doesNotContain("private-fault-emulated-mmio")
                .contains("1 alert(s), 0 at or above critical");
        assertThat(run("check", "--rules", "../rules", "--fail-on", "error", onlyPunch.toString()).code()).isEqualTo(1);
    }

    @Test
    void unusableInputExits2(@TempDir Path tmp) throws Exception {
        assertThat(run("check", "--rules", "../rules", tmp.resolve("missing.trace").toString()).code()).isEqualTo(2);
        assertThat(run("check", "--rules", "../rules", REAL + "rate_measurements.txt").code()).isEqualTo(2);
        assertThat(run("check", "--rules", "../rules", "--fail-on", "loud", SCENARIO).code()).isEqualTo(2);
        Files.writeString(tmp.resolve("bad.yaml"), "- rule: no-such-rule\n  desc: x\n  priority: error\n");
        CapturedRun bad = run("check", "--rules", tmp.toString(), SCENARIO);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("bad.yaml").contains("no-such-rule");
    }

    /** Misuse a CI gate would not notice: each is exit 2 with the reason, never a quiet 0. */
    @Test
    void misuseIsRefusedWithItsReason(@TempDir Path tmp) throws Exception {
        Path noRules = Files.createDirectory(tmp.resolve("no-rules"));
        CapturedRun empty = run("check", "--rules", noRules.toString(), SCENARIO);
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains(noRules.toString()).contains("no rule files");
        assertThat(run("rules", "validate", noRules.toString()).code()).isEqualTo(2);
        CapturedRun dir = run("check", "--rules", "../rules", tmp.toString());
        assertThat(dir.code()).isEqualTo(2);
        assertThat(dir.err()).contains("is a directory").doesNotContain("no such");
        for (String[] bad : List.of(new String[] {"--rate", "-5"}, new String[] {"--events", "-1"}, new String[] {"--vms", "0"})) {
            CapturedRun r = run("collect", "--source", "simulate", bad[0], bad[1], "--output", "jsonl");
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).contains(bad[0] + " " + bad[1]);
        }
    }

    /** check says how many lines it could not read and why: its alerts say nothing about them. */
    @Test
    void checkSaysWhatItSkipped(@TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(SCENARIO)));
        int total = lines.size() + 3;
        lines.add("\u001b[2Jgarbage one"); // the first sample of its reason is the one printed
        lines.add("garbage two");
        lines.add("qemu-100   (4294967296) [000] ..... 9.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1");
        Path trace = tmp.resolve("mixed.trace");
        Files.write(trace, lines);
        CapturedRun r = run("check", "--rules", "../rules", trace.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(trace + ": 3 of " + total + " lines skipped").contains("malformed: no timestamp")
                .contains("malformed: tgid out of range").contains("\\x1b[2J").doesNotContain("\u001b");
    }

    @Test
    void collectJsonlOfTheRealGmemCapture() throws Exception {
        CapturedRun r = run("collect", "--source", "replay:" + REAL + "gmem_create_bind_punch.trace", "--output", "jsonl", "--host", "lab");
        assertThat(r.code()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).allSatisfy(e -> assertThat(e.has("type") && e.has("vm") && e.has("tid") && e.has("ts")).isTrue());
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("VmCreated")))
                .singleElement().satisfies(e -> assertThat(e.get("vm_type_raw").asInt()).isZero());
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("GmemCreated")))
                .singleElement().satisfies(e -> assertThat(e.get("fd").asInt()).isEqualTo(6));
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("MemslotSet")).count()).isEqualTo(3);
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("GmemInvalidation"))
                .map(e -> e.get("offset").asText() + "+" + e.get("length").asText() + " mode " + e.get("mode").asInt()))
                .containsExactly("0x10000+0x10000 mode 3", "0x0+0x200000 mode 3");
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("GmemAllocation"))
                .map(e -> e.get("mode").asInt())).containsExactly(1);
        assertThat(r.err()).contains("lines read: 2408").contains("unsupported events:").contains("kvm_mmu_paging_element");
    }

    @Test
    void collectNeedsAnOutput() {
        CapturedRun r = run("collect", "--source", "replay:" + SCENARIO);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output jsonl or --bootstrap-servers");
    }
}
