package dev.faultline.collector.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The collector's packages follow its data: source → parse → resolve → publish. A stage imports only the stage
 * just before it (the types it is handed) and the packages below every stage (text: reading bytes; loss; stats),
 * never a later stage and never one further back; those below import no stage. The root package (the pipeline)
 * and the side packages (host: the doctor's probes; metrics) may use the stages. Read from the import lines of
 * the main sources; a planted import against the flow fails it (below).
 */
class CollectorPackagesTest {
    static final List<String> FLOW = List.of("source", "parse", "resolve", "publish");
    static final Set<String> BELOW = Set.of("text", "loss", "stats");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.faultline\\.collector\\.(\\w+)", Pattern.MULTILINE);

    @Test
    void importsFollowTheFlow() {
        Map<String, Set<String>> deps = imports(Path.of("src/main/java/dev/faultline/collector"));
        assertThat(deps.keySet()).as("packages read").contains("source", "parse", "resolve", "publish", "text");
        assertThat(violations(deps)).isEmpty();
    }

    @Test
    void aPlantedImportAgainstTheFlowIsFound() {
        Map<String, Set<String>> deps = new TreeMap<>(Map.of("source", Set.of("parse"), "parse", Set.of("text"),
                "resolve", Set.of("parse", "publish"), "publish", Set.of("source"), "text", Set.of("stats"),
                "stats", Set.of("resolve")));
        assertThat(violations(deps)).containsExactlyInAnyOrder("source -> parse (a later stage)",
                "resolve -> publish (a later stage)", "publish -> source (not the stage before)",
                "stats -> resolve (below every stage, it imports a stage)");
    }

    /** Each package's imports of other collector packages (classes of the root package count as "(root)"). */
    static Map<String, Set<String>> imports(Path root) {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = root.relativize(f);
                String pkg = rel.getNameCount() > 1 ? rel.getName(0).toString() : "(root)";
                Matcher m = IMPORT.matcher(Files.readString(f));
                Set<String> mine = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                while (m.find()) {
                    String target = Character.isUpperCase(m.group(1).charAt(0)) ? "(root)" : m.group(1);
                    if (!target.equals(pkg)) {
                        mine.add(target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<String> violations(Map<String, Set<String>> deps) {
        List<String> out = new ArrayList<>();
        deps.forEach((from, targets) -> {
            for (String to : targets) {
                int a = FLOW.indexOf(from);
                int b = FLOW.indexOf(to);
                if (BELOW.contains(from) && !BELOW.contains(to)) {
                    out.add(from + " -> " + to + " (below every stage, it imports " + (b >= 0 ? "a stage" : "a package above it") + ")");
                } else if (a >= 0 && b > a) {
                    out.add(from + " -> " + to + " (a later stage)");
                } else if (a >= 0 && b >= 0 && b < a - 1) {
                    out.add(from + " -> " + to + " (not the stage before)");
                } else if (a >= 0 && b < 0 && !BELOW.contains(to)) {
                    out.add(from + " -> " + to + " (a stage imports a package beside the flow)");
                }
            }
        });
        return out;
    }
}
