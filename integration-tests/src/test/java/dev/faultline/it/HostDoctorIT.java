package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.rules.RuleMeta;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.cli.Faultline;
import dev.faultline.collector.host.KvmCap;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.host.HostFeature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code faultline doctor} against the host itself, asked without Faultline: KVM's answers from a C program,
 * the tracepoints from tracefs's own files, bpftrace's version from bpftrace. Holds on any host; on one
 * without guest_memfd it is the check that doctor says so. Needs root, tracefs, /dev/kvm and gcc.
 */
class HostDoctorIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void doctorReportsWhatTheHostAnswers(@TempDir Path tmp) throws Exception {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        Map<String, Long> caps = kvmCaps(LiveCollector.compile(tmp, "kvm_caps"));

        Run json = doctor("--format", "json", "--rules", "../rules");
        JsonNode j = JSON.readTree(json.out());
        Run text = doctor("--rules", "../rules");
        assertThat(json.exit()).isEqualTo(j.get("exit_code").asInt()).isEqualTo(text.exit())
                .isEqualTo(j.get("collect_can_run").asBoolean() ? 0 : 1);

        // KVM's own answers
        assertThat(j.at("/kvm/problem").isNull()).as(j.at("/kvm").toString()).isTrue();
        for (KvmCap c : KvmCap.values()) {
            assertThat(j.at("/kvm/caps/" + c.uapiName()).asLong()).as(c.uapiName()).isEqualTo(caps.get(c.uapiName()));
        }
        assertThat(j.at("/kvm/api_version").asLong()).isEqualTo(caps.get("api"));
        assertThat(feature(j, HostFeature.GUEST_MEMFD)).isEqualTo(caps.get("KVM_CAP_GUEST_MEMFD") > 0);
        assertThat(feature(j, HostFeature.MEMORY_ATTRIBUTES)).isEqualTo((caps.get("KVM_CAP_MEMORY_ATTRIBUTES") & 8) != 0);
        // SW_PROTECTED (1), SEV_SNP (4), TDX (5)
        assertThat(feature(j, HostFeature.PRIVATE_VM)).isEqualTo((caps.get("KVM_CAP_VM_TYPES") & 0b110010) != 0);
        assertThat(probe(j, "KVM_CAP_GUEST_MEMFD")).isEqualTo(caps.get("KVM_CAP_GUEST_MEMFD") > 0 ? "ok" : "missing");
        assertThat(probe(j, "/dev/kvm")).isEqualTo("ok");

        // tracefs: collect's set-up works, each tracepoint as tracefs lists it, nothing left behind
        assertThat(probe(j, "tracefs")).isEqualTo("ok");
        for (String ev : TracefsSession.STANDARD_EVENTS) {
            boolean present = Files.exists(KernelFeatures.TRACEFS.resolve("events").resolve(ev).resolve("format"));
            assertThat(j.at("/tracepoints").get(ev).asText().equals("no such tracepoint in this kernel")).as(ev).isNotEqualTo(present);
        }
        try (Stream<Path> instances = Files.list(KernelFeatures.TRACEFS.resolve("instances"))) {
            assertThat(instances.map(p -> p.getFileName().toString())).as("the probe's instance is gone")
                    .noneMatch(n -> n.equals("faultline-" + ProcessHandle.current().pid()));
        }

        // bpftrace as it says itself
        Process v = new ProcessBuilder("bpftrace", "--version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes()).strip();
        if (v.waitFor() == 0) {
            assertThat(j.at("/probes").findValuesAsText("detail")).anyMatch(d -> d.startsWith(version + " at "));
        } else {
            assertThat(probe(j, "bpftrace")).isEqualTo("missing");
        }

        // the rules that get no data: the enabled ones needing a feature the host lacks
        RuleSet rules = RuleSet.load(Path.of("../rules"));
        List<String> unfed = new ArrayList<>();
        for (var r : rules.rules().values()) {
            RuleMeta m = r.meta();
            if (m.enabled() && m.requires().stream().anyMatch(f -> !feature(j, f))) {
                unfed.add(m.id());
            }
        }
        assertThat(j.get("rules_without_data").findValuesAsText("rule")).containsExactlyElementsOf(unfed);

        // the text: a line per probe in the same order, status first; the verdict
        List<String> lines = text.out().lines().toList();
        int at = 0;
        for (JsonNode p : j.get("probes")) {
            Pattern line = Pattern.compile("^" + p.get("status").asText() + " +" + Pattern.quote(p.get("name").asText()) + "  ");
            while (at < lines.size() && !line.matcher(lines.get(at)).find()) {
                at++;
            }
            assertThat(at).as("a text line for %s, after the one before it", p).isLessThan(lines.size());
        }
        assertThat(text.out()).contains(j.get("collect_can_run").asBoolean() ? "verdict: collect can run here: reader "
                + j.get("reader").asText() : "verdict: collect cannot run here");
        for (String rule : unfed) {
            assertThat(text.out()).containsPattern("(?m)^  " + Pattern.quote(rule) + " +needs ");
        }
        System.out.println(text.out());
    }

    private static boolean feature(JsonNode j, HostFeature f) {
        return j.at("/features/" + f.id() + "/available").asBoolean();
    }

    private static String probe(JsonNode j, String name) {
        for (JsonNode p : j.get("probes")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("status").asText();
            }
        }
        throw new AssertionError("no probe " + name + " in " + j.get("probes"));
    }

    /** The API version and KVM_CHECK_EXTENSION of each capability, by uapi name, as the C program got them. */
    private static Map<String, Long> kvmCaps(Path program) throws Exception {
        Process p = new ProcessBuilder(program.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        Map<String, Long> caps = new HashMap<>();
        out.lines().map(l -> l.split(" ")).forEach(w -> caps.put(w[0], Long.parseLong(w[1])));
        assertThat(caps).as(out).hasSize(KvmCap.values().length + 1);
        return caps;
    }

    private record Run(int exit, String out) {
    }

    private static synchronized Run doctor(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            String[] all = Stream.concat(Stream.of("doctor"), Stream.of(args)).toArray(String[]::new);
            int code = Faultline.run(all);
            return new Run(code, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }
}
