package dev.faultline.analyser.rules;

import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldCatalog;
import dev.faultline.host.HostFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The rules in force, loaded from rules/*.yaml (sorted by name) in Falco's vocabulary: {@code rule},
 * {@code macro}, {@code list} entries, plus {@code setup} entries (named trace prefixes for examples).
 * Every condition is compiled once, here; any error names the file, line and rule and nothing loads.
 */
public final class RuleSet {
    private static final Set<String> RULE_KEYS = Set.of("rule", "desc", "condition", "output", "priority", "tags",
            "enabled", "exceptions", "gfn", "examples", "threshold", "unless_followed_by", "unless_preceded_by", "requires");
    private static final Set<String> SEQUENCE_KEYS = Set.of("condition", "within", "match");
    private static final Pattern IDENT = Pattern.compile("[a-z_]+\\.[a-z_0-9]+");

    private final Map<String, CelRule> rules;
    private final List<Rule> enabled;
    /** The enabled rules an event type concerns, by type, filled as types are seen. */
    private final Map<String, List<Rule>> byType = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> setups;
    private final List<String> warnings;

    private RuleSet(Map<String, CelRule> rules, Map<String, String> setups, List<String> warnings) {
        this.rules = rules;
        this.enabled = rules.values().stream().filter(r -> r.meta().enabled()).map(r -> (Rule) r).toList();
        this.setups = setups;
        this.warnings = warnings;
    }

    public static RuleSet load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RuleFileException("rules directory " + dir + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new RuleFileException("cannot list rules directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            // a mistyped path must not turn detection off quietly
            throw new RuleFileException("rules directory " + dir + " has no rule files (*.yaml, *.yml)");
        }
        List<YamlNode> entries = new ArrayList<>();
        for (Path f : files) {
            YamlNode root = YamlNode.read(f);
            if (root.kind() != YamlNode.Kind.LIST) {
                throw new RuleFileException(root.where() + ": a rule file is a list of entries (- rule: ..., - macro: ..., - list: ...)");
            }
            entries.addAll(root.items());
        }
        // Lists, macros and setups first: rules anywhere may use them.
        Macros macros = new Macros();
        Map<String, String> setups = new LinkedHashMap<>();
        for (YamlNode n : entries) {
            if (n.has("list")) {
                String name = n.string("list", "list");
                checkNew(macros, name, n);
                List<String> items = new ArrayList<>();
                YamlNode itemsNode = n.get("items");
                if (itemsNode == null) {
                    throw new RuleFileException(n.where() + ": list '" + name + "': 'items' is required");
                }
                itemsNode.items().forEach(i -> items.add(i.text()));
                macros.list(name, items);
            } else if (n.has("macro")) {
                String name = n.string("macro", "macro");
                checkNew(macros, name, n);
                macros.macro(name, n.string("condition", "macro '" + name + "'"));
            } else if (n.has("setup")) {
                String name = n.string("setup", "setup");
                if (setups.put(name, n.string("trace", "setup '" + name + "'")) != null) {
                    throw new RuleFileException(n.where() + ": setup '" + name + "' is defined twice");
                }
            } else if (!n.has("rule")) {
                throw new RuleFileException(n.where() + ": an entry is one of rule, macro, list, setup");
            }
        }
        validateMacros(macros, entries);
        Map<String, CelRule> rules = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (YamlNode n : entries) {
            if (n.has("rule")) {
                CelRule r = compileRule(n, macros, setups, warnings);
                CelRule dup = rules.putIfAbsent(r.id(), r);
                if (dup != null) {
                    throw new RuleFileException(n.where() + ": rule '" + r.id() + "' is already defined in " + dup.meta().file());
                }
            }
        }
        if (rules.isEmpty()) {
            throw new RuleFileException("rules directory " + dir + ": " + files.stream().map(Path::toString)
                    .collect(Collectors.joining(", ")) + " define no rule");
        }
        Set<String> usedMacros = new LinkedHashSet<>();
        for (YamlNode n : entries) {
            if (n.has("rule") && n.has("condition")) {
                usedMacros.addAll(macros.used(n.get("condition").text()));
            }
        }
        macros.macros().keySet().stream().filter(m -> !usedMacros.contains(m) && macros.macros().keySet().stream()
                .noneMatch(o -> !o.equals(m) && macros.used(macros.macros().get(o)).contains(m)))
                .forEach(m -> warnings.add("macro '" + m + "' is not used by any rule"));
        return new RuleSet(rules, setups, warnings);
    }

    private static void checkNew(Macros macros, String name, YamlNode n) {
        if (macros.defines(name)) {
            throw new RuleFileException(n.where() + ": '" + name + "' is already defined as a macro or list");
        }
        if (FieldCatalog.get().field(name) != null || name.contains(".")) {
            throw new RuleFileException(n.where() + ": '" + name + "' is a field name; macros and lists need plain names");
        }
    }

    private static void validateMacros(Macros macros, List<YamlNode> entries) {
        for (YamlNode n : entries) {
            if (n.has("macro")) {
                String name = n.get("macro").text();
                try {
                    CelEnvironment.compile(macros.expand(n.get("condition").text()), SimpleType.BOOL);
                } catch (CelValidationException e) {
                    throw new RuleFileException(n.get("condition").where() + ": macro '" + name + "': " + e.getMessage(), e);
                } catch (IllegalArgumentException e) {
                    throw new RuleFileException(n.where() + ": macro '" + name + "': " + e.getMessage(), e);
                }
            }
        }
    }

    private static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private static CelRule compileRule(YamlNode n, Macros macros, Map<String, String> setups, List<String> warnings) {
        String id = n.string("rule", "rule");
        String what = "rule '" + id + "'";
        if (!RULE_ID.matcher(id).matches()) {
            // ids name alerts, metrics labels and store keys: letters, digits, '-', '_', '.' only
            throw new RuleFileException(n.get("rule").where() + ": " + what + ": an id is letters, digits, '-', '_' and '.', "
                    + "starting with a letter or digit");
        }
        for (String k : n.keys()) {
            if (!RULE_KEYS.contains(k)) {
                throw new RuleFileException(n.get(k).where() + ": " + what + ": unknown key '" + k + "' (known: "
                        + String.join(", ", RULE_KEYS) + ")");
            }
        }
        String desc = n.string("desc", what).strip();
        String p = n.string("priority", what);
        Priority priority;
        try {
            priority = Priority.valueOf(p.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RuleFileException(n.get("priority").where() + ": " + what + ": priority '" + p
                    + "' is not one of debug, info, notice, warning, error, critical");
        }
        List<String> tags = new ArrayList<>();
        if (n.has("tags")) {
            n.get("tags").items().forEach(t -> tags.add(t.text()));
        }
        boolean enabled = !n.has("enabled") || Boolean.parseBoolean(n.get("enabled").text());
        RuleMeta meta = new RuleMeta(id, desc, priority, List.copyOf(tags), enabled, n.file() + ":" + n.line(), requires(n, what));

        String condition = n.string("condition", what);
        Set<String> referenced = new LinkedHashSet<>();
        Condition program = compile(n.get("condition"), what + ": condition", macros, condition, referenced, true);
        Map<String, Condition> exceptions = new LinkedHashMap<>();
        if (n.has("exceptions")) {
            for (YamlNode x : n.get("exceptions").items()) {
                String name = x.string("name", what + ": exception");
                exceptions.put(name, compile(x.get("condition"), what + ": exception '" + name + "'", macros,
                        x.string("condition", what + ": exception '" + name + "'"), referenced, true));
            }
        }
        String output = n.string("output", what).strip();
        for (String f : CelRule.outputFields(output)) {
            Field field = FieldCatalog.get().field(f);
            if (field == null) {
                throw new RuleFileException(n.get("output").where() + ": " + what + ": output uses unknown field %" + f);
            }
            referenced.add(f);
        }
        Condition gfnStart = null;
        Condition gfnEnd = null;
        if (n.has("gfn")) {
            List<YamlNode> g = n.get("gfn").items();
            if (g.isEmpty() || g.size() > 2) {
                throw new RuleFileException(n.get("gfn").where() + ": " + what + ": gfn is [first] or [first, last]");
            }
            gfnStart = compile(g.get(0), what + ": gfn", macros, g.get(0).text(), referenced, false);
            gfnEnd = g.size() == 2 ? compile(g.get(1), what + ": gfn", macros, g.get(1).text(), referenced, false) : null;
        }
        Timing timing = timing(n, what, macros, referenced);
        List<Example> examples = examples(n, what, setups);
        if (examples.stream().noneMatch(x -> x.fires() > 0) || examples.stream().noneMatch(x -> x.fires() == 0)) {
            warnings.add(n.where() + ": " + what + " needs examples that fire and examples that stay quiet");
        }
        List<Field> fields = referenced.stream().map(FieldCatalog.get()::field).toList();
        return new CelRule(meta, program, exceptions, output, gfnStart, gfnEnd, fields, examples, timing);
    }

    /** requires: [guest_memfd, private_vm, ...]: the host features of {@link HostFeature}, by id. */
    private static Set<HostFeature> requires(YamlNode n, String what) {
        Set<HostFeature> out = EnumSet.noneOf(HostFeature.class);
        if (!n.has("requires")) {
            return out;
        }
        for (YamlNode item : n.get("requires").items()) {
            out.add(HostFeature.byId(item.text()).orElseThrow(() -> new RuleFileException(item.where() + ": " + what
                    + ": requires '" + item.text() + "' is not a host feature (known: "
                    + Arrays.stream(HostFeature.values()).map(HostFeature::id).collect(Collectors.joining(", ")) + ")")));
        }
        return Collections.unmodifiableSet(out);
    }

    /** threshold / unless_followed_by / unless_preceded_by: at most one. */
    private static Timing timing(YamlNode n, String what, Macros macros, Set<String> referenced) {
        List<String> given = java.util.stream.Stream.of("threshold", "unless_followed_by", "unless_preceded_by")
                .filter(n::has).toList();
        if (given.size() > 1) {
            throw new RuleFileException(n.where() + ": " + what + ": use one of " + given + ", not several");
        }
        if (given.isEmpty()) {
            return null;
        }
        YamlNode t = n.get(given.get(0));
        if (given.get(0).equals("threshold")) {
            Timing th = Timing.threshold(t.text());
            if (th == null) {
                throw new RuleFileException(t.where() + ": " + what + ": threshold reads 'count > N within DURATION per vm'");
            }
            return th;
        }
        for (String k : t.keys()) {
            if (!SEQUENCE_KEYS.contains(k)) {
                throw new RuleFileException(t.get(k).where() + ": " + what + ": unknown key '" + k + "' in " + given.get(0)
                        + " (known: condition, within, match)");
            }
        }
        String sub = what + ": " + given.get(0);
        Condition other = compile(t.get("condition"), sub, macros, t.string("condition", sub), referenced, true);
        long within;
        try {
            within = Timing.duration(t.string("within", sub));
        } catch (IllegalArgumentException e) {
            throw new RuleFileException(t.get("within").where() + ": " + sub + ": " + e.getMessage(), e);
        }
        String match = t.stringOr("match", "gfn");
        if (!match.equals("gfn") && !match.equals("vm")) {
            throw new RuleFileException(t.get("match").where() + ": " + sub + ": match is gfn (ranges overlap) or vm");
        }
        Timing.Kind kind = given.get(0).equals("unless_followed_by") ? Timing.Kind.FOLLOWED_BY : Timing.Kind.PRECEDED_BY;
        return new Timing(kind, 0, within, other, match.equals("gfn"));
    }

    private static Condition compile(YamlNode at, String what, Macros macros, String expression,
            Set<String> referenced, boolean bool) {
        String expanded;
        try {
            expanded = macros.expand(expression);
        } catch (IllegalArgumentException e) {
            throw new RuleFileException(at.where() + ": " + what + ": " + e.getMessage(), e);
        }
        try {
            Condition p = CelEnvironment.compile(expanded, bool ? SimpleType.BOOL : SimpleType.UINT);
            Matcher m = IDENT.matcher(expanded);
            while (m.find()) {
                if (FieldCatalog.get().field(m.group()) != null) {
                    referenced.add(m.group());
                }
            }
            return p;
        } catch (CelValidationException e) {
            String shown = expanded.equals(expression) ? "" : "\n(after macros: " + expanded.strip() + ")";
            throw new RuleFileException(at.where() + ": " + what + ": " + e.getMessage() + shown, e);
        }
    }

    private static List<Example> examples(YamlNode n, String what, Map<String, String> setups) {
        List<Example> out = new ArrayList<>();
        if (!n.has("examples")) {
            return out;
        }
        for (YamlNode x : n.get("examples").items()) {
            String name = x.string("name", what + ": example");
            String trace = x.string("trace", what + ": example '" + name + "'");
            if (x.has("setup")) {
                String setup = setups.get(x.get("setup").text());
                if (setup == null) {
                    throw new RuleFileException(x.get("setup").where() + ": " + what + ": example '" + name
                            + "': no setup named '" + x.get("setup").text() + "'");
                }
                trace = setup + (setup.endsWith("\n") ? "" : "\n") + trace;
            }
            int fires;
            try {
                fires = Integer.parseInt(x.string("fires", what + ": example '" + name + "'"));
            } catch (NumberFormatException e) {
                throw new RuleFileException(x.get("fires").where() + ": " + what + ": example '" + name
                        + "': fires is the number of alerts expected (0: must stay quiet)");
            }
            long[] gfn = null;
            if (x.has("gfn")) {
                List<YamlNode> g = x.get("gfn").items();
                gfn = new long[] {Long.decode(g.get(0).text()), Long.decode(g.get(g.size() - 1).text())};
            }
            out.add(new Example(name, trace, fires, gfn, x.where()));
        }
        return out;
    }

    /** Rules that run (listed and not disabled), in file order. */
    public List<Rule> enabled() {
        return enabled;
    }

    /** The enabled rules an event of this Avro record type concerns ({@link Rule#concerns}), in file order. */
    public List<Rule> forType(String eventType) {
        return byType.computeIfAbsent(eventType, t -> enabled.stream().filter(r -> r.concerns(t)).toList());
    }

    public RuleMeta meta(String id) {
        CelRule r = rules.get(id);
        return r == null ? null : r.meta();
    }

    public Map<String, CelRule> rules() {
        return rules;
    }

    /** Lint findings that do not stop loading: rules without examples both ways, unused macros. */
    public List<String> warnings() {
        return warnings;
    }

    /** A set with only this rule enabled: what its examples run against. */
    public RuleSet only(String id) {
        CelRule r = rules.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no rule " + id);
        }
        RuleMeta m = r.meta();
        return new RuleSet(Map.of(id, r.withMeta(m.enabledCopy())), setups, List.of());
    }
}
