package dev.faultline.commandline.collect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.RulesOption;
import dev.faultline.collector.host.HostAssessment;
import dev.faultline.host.HostFeature;
import dev.faultline.collector.host.HostProbe;
import dev.faultline.collector.host.KvmCap;
import dev.faultline.collector.host.Probe;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Say what this host lets Faultline see: privileges, tracefs and each tracepoint collect enables, "
                + "/dev/kvm and its capabilities (guest_memfd, memory attributes, VM types), bpftrace, BTF, lockdown; "
                + "then which reader and helper collect uses here and which rules get no data from this host.",
            "Exits 0 when collect can run here, 1 when it cannot (the reasons are printed), 2 on a usage error."})
public final class DoctorCommand implements Callable<Integer> {
    static final int CANNOT_COLLECT = 1;
    static final String NO_RULE_ENGINE = "not checked: the collector archive carries no rule engine "
            + "(faultline doctor of the full archive says which rules this host cannot feed)";

    /** Reads what rules require; null in the collector archive. */
    private final RuleRequirements requirements;

    /** Doctor with a rule engine: also says which enabled rules this host cannot feed. */
    public DoctorCommand(RuleRequirements requirements) {
        this.requirements = requirements;
    }

    /** Doctor of the collector archive: the host only. */
    public static DoctorCommand withoutRules() {
        return new DoctorCommand(null);
    }

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text (default): a line per probe; json: one object for scripts.")
    String format;

    @Option(names = "--tracefs", defaultValue = "/sys/kernel/tracing", paramLabel = "DIR",
            description = "Where collect looks for tracefs (default ${DEFAULT-VALUE}).")
    Path tracefs;

    @Mixin
    RulesOption rules;

    /** A rule the host cannot feed, and the features it lacks for it. */
    record Unfed(String rule, List<HostFeature> missing) {
    }

    @Override
    public Integer call() {
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("faultline doctor: --format " + format + " is not text or json");
            return ExitCodes.UNUSABLE_INPUT;
        }
        HostAssessment host = HostAssessment.of(new HostProbe(tracefs).facts());
        List<Unfed> unfed = new ArrayList<>();
        String rulesProblem = null;
        if (requirements == null) {
            if (rules.dir != null) {
                System.err.println("faultline doctor: --rules: " + NO_RULE_ENGINE);
                return ExitCodes.UNUSABLE_INPUT;
            }
            rulesProblem = NO_RULE_ENGINE;
        } else {
            try {
                unfed = unfed(requirements.requiredFeatures(rules.dir()), host);
            } catch (RuleRequirements.RulesUnreadable e) {
                if (rules.dir != null) {
                    System.err.println("faultline doctor: " + e.getMessage());
                    return ExitCodes.UNUSABLE_INPUT;
                }
                rulesProblem = e.getMessage();
            }
        }
        int exit = host.verdict().collectCanRun() ? ExitCodes.OK : CANNOT_COLLECT;
        System.out.print(format.equals("json") ? json(host, unfed, rulesProblem, exit) : text(host, unfed, rulesProblem));
        return exit;
    }

    /** The rules (enabled ones, with what they require) that need a feature the host lacks. */
    static List<Unfed> unfed(Map<String, Set<HostFeature>> required, HostAssessment host) {
        List<Unfed> out = new ArrayList<>();
        required.forEach((rule, features) -> {
            List<HostFeature> lacking = features.stream().filter(f -> !host.has(f)).toList();
            if (!lacking.isEmpty()) {
                out.add(new Unfed(rule, lacking));
            }
        });
        return out;
    }

    private String text(HostAssessment host, List<Unfed> unfed, String rulesProblem) {
        StringBuilder out = new StringBuilder();
        out.append("faultline doctor: ").append(hostName()).append(", Linux ").append(host.facts().kernel()).append("\n\n");
        int width = host.probes().stream().mapToInt(p -> p.name().length()).max().orElse(10);
        for (Probe p : host.probes()) {
            out.append(String.format("%-9s %-" + width + "s  %s — %s%n", p.status().word(), p.name(), p.detail(), p.meaning()));
        }
        out.append("\nhost features (what rules may require):\n");
        for (HostFeature f : HostFeature.values()) {
            String why = host.missingFeatures().get(f);
            out.append(String.format("%-9s %-18s %s%n", why == null ? "ok" : "missing", f.id(),
                    why == null ? f.meaning() : why + " — " + f.meaning()));
        }
        if (rulesProblem != null) {
            out.append("\nrules: ").append(rulesProblem).append('\n');
        } else if (unfed.isEmpty()) {
            out.append("\nevery enabled rule can get data from this host\n");
        } else {
            out.append("\nrules that get no data from this host's live capture (their events cannot occur here; "
                    + "a replayed trace is judged anyway):\n");
            int w = unfed.stream().mapToInt(u -> u.rule().length()).max().orElse(10);
            for (Unfed u : unfed) {
                out.append(String.format("  %-" + w + "s  needs %s%n", u.rule(),
                        u.missing().stream().map(HostFeature::id).collect(Collectors.joining(", "))));
            }
        }
        HostAssessment.Verdict v = host.verdict();
        out.append('\n');
        if (v.collectCanRun()) {
            out.append("verdict: collect can run here: reader ").append(v.reader()).append(" (").append(v.readerWhy())
                    .append("), helper ").append(v.helper()).append('\n');
        } else {
            out.append("verdict: collect cannot run here:\n");
            v.blockers().forEach(b -> out.append("  ").append(b).append('\n'));
        }
        return out.toString();
    }

    private String json(HostAssessment host, List<Unfed> unfed, String rulesProblem, int exit) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        HostAssessment.Verdict v = host.verdict();
        root.put("host", hostName());
        root.put("kernel", host.facts().kernel());
        root.put("collect_can_run", v.collectCanRun());
        root.put("exit_code", exit);
        ArrayNode blockers = root.putArray("blockers");
        v.blockers().forEach(blockers::add);
        root.put("reader", v.reader());
        root.put("reader_why", v.readerWhy());
        root.put("helper", v.helper());
        ArrayNode probes = root.putArray("probes");
        for (Probe p : host.probes()) {
            probes.addObject().put("name", p.name()).put("status", p.status().word()).put("detail", p.detail())
                    .put("meaning", p.meaning());
        }
        ObjectNode features = root.putObject("features");
        for (HostFeature f : HostFeature.values()) {
            String why = host.missingFeatures().get(f);
            features.putObject(f.id()).put("available", why == null).put("why_not", why).put("meaning", f.meaning());
        }
        ObjectNode kvm = root.putObject("kvm");
        kvm.put("present", host.facts().kvm().present());
        kvm.put("problem", host.facts().kvm().problem());
        kvm.put("api_version", host.facts().kvm().apiVersion());
        kvm.put("vendors", String.join(",", host.facts().vendors()));
        ObjectNode caps = kvm.putObject("caps");
        for (KvmCap c : KvmCap.values()) {
            if (host.facts().kvm().problem() == null) {
                caps.put(c.uapiName(), host.facts().kvm().cap(c));
            } else {
                caps.putNull(c.uapiName());
            }
        }
        Map<String, String> tracepoints = new LinkedHashMap<>(host.facts().tracefs().events());
        ObjectNode events = root.putObject("tracepoints");
        tracepoints.forEach((ev, problem) -> events.put(ev, problem == null ? "ok" : problem));
        if (rulesProblem != null) {
            root.put("rules_problem", rulesProblem);
        }
        ArrayNode rulesOut = root.putArray("rules_without_data");
        for (Unfed u : unfed) {
            ObjectNode o = rulesOut.addObject().put("rule", u.rule());
            ArrayNode m = o.putArray("missing");
            u.missing().forEach(f -> m.add(f.id()));
        }
        return root.toString() + "\n";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }
}
