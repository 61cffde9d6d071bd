package dev.faultline.analyser.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.faultline.alerts.Priority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules in force: the entries of rules/*.yaml, each bound to its check. A rule is on only
 * when a file lists it and does not disable it. Until the rule engine lands, checks are built in
 * (a file entry names one by its id); the file still decides description, priority, tags and
 * whether it runs.
 */
public final class RuleSet {
    private static final Set<String> KEYS = Set.of("rule", "desc", "priority", "tags", "enabled");
    private static final Map<String, Rule> BUILT_IN = builtIn();

    private final Map<String, RuleMeta> meta;
    private final List<Rule> enabled;

    private RuleSet(Map<String, RuleMeta> meta) {
        this.meta = meta;
        this.enabled = meta.values().stream().filter(RuleMeta::enabled).map(m -> BUILT_IN.get(m.id())).toList();
    }

    private static Map<String, Rule> builtIn() {
        Map<String, Rule> m = new LinkedHashMap<>();
        for (Rule r : List.of(new PrivateFaultEmulatedMmio(), new GmemInvalidationOutsideBinding())) {
            m.put(r.id(), r);
        }
        return m;
    }

    /** Loads every *.yaml / *.yml file in {@code dir}, sorted by name. */
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
        Map<String, RuleMeta> meta = new LinkedHashMap<>();
        for (Path f : files) {
            for (RuleMeta m : parse(f)) {
                RuleMeta dup = meta.putIfAbsent(m.id(), m);
                if (dup != null) {
                    throw new RuleFileException(f + ": rule '" + m.id() + "' is already defined in " + dup.file());
                }
            }
        }
        return new RuleSet(meta);
    }

    static List<RuleMeta> parse(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new RuleFileException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RuleFileException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<RuleMeta> out = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isArray()) {
            throw new RuleFileException(file + ": expected a list of entries (- rule: ...)");
        }
        int n = 0;
        for (JsonNode entry : root) {
            n++;
            String where = file + ": entry " + n;
            if (!entry.isObject() || !entry.has("rule")) {
                throw new RuleFileException(where + ": expected a mapping with 'rule'");
            }
            String id = entry.get("rule").asText();
            where = file + ": rule '" + id + "'";
            for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) {
                    throw new RuleFileException(where + ": unknown key '" + k + "' (known: " + String.join(", ", KEYS) + ")");
                }
            }
            if (!BUILT_IN.containsKey(id)) {
                throw new RuleFileException(where + ": no check implements this rule id (known: "
                        + String.join(", ", BUILT_IN.keySet()) + ")");
            }
            if (!entry.hasNonNull("desc") || entry.get("desc").asText().isBlank()) {
                throw new RuleFileException(where + ": 'desc' is required");
            }
            Priority priority;
            String p = entry.hasNonNull("priority") ? entry.get("priority").asText() : "";
            try {
                priority = Priority.valueOf(p.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new RuleFileException(where + ": priority '" + p + "' is not one of debug, info, notice, warning, error, critical");
            }
            List<String> tags = new ArrayList<>();
            if (entry.has("tags")) {
                entry.get("tags").forEach(t -> tags.add(t.asText()));
            }
            boolean enabled = !entry.has("enabled") || entry.get("enabled").asBoolean(true);
            out.add(new RuleMeta(id, entry.get("desc").asText().strip(), priority, List.copyOf(tags), enabled,
                    file.toString()));
        }
        return out;
    }

    public List<Rule> enabled() {
        return enabled;
    }

    public RuleMeta meta(String id) {
        return meta.get(id);
    }

    public Map<String, RuleMeta> all() {
        return meta;
    }
}
