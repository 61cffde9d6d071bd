package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Priority;
import dev.faultline.analyser.rules.RuleFileException;
import dev.faultline.analyser.rules.YamlNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sinks file: a list of entries
 * <pre>
 * - sink: webhook                 # log | webhook | alertmanager | slack
 *   name: soc                     # default: the kind
 *   url: https://soc.example/hook
 *   secret: ${FAULTLINE_WEBHOOK_SECRET}   # webhook: HMAC-SHA256 key; ${VAR} reads the environment
 *   min_priority: warning         # default debug
 *   rules: [private-fault-emulated-mmio]  # default: every rule
 *   queue: 10000                  # bounded queue; full means dropped and counted
 *   retry: {attempts: 8, initial_backoff: 200ms, max_backoff: 30s}
 * </pre>
 * Errors name the file, line and entry.
 */
public final class SinkConfig {
    private static final Set<String> KEYS = Set.of("sink", "name", "url", "secret", "min_priority", "rules", "queue", "retry");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private SinkConfig() {
    }

    public static List<SinkChannel> load(Path file) {
        return load(file, System::getenv);
    }

    static List<SinkChannel> load(Path file, UnaryOperator<String> env) {
        YamlNode root = YamlNode.read(file);
        if (root.kind() != YamlNode.Kind.LIST) {
            throw new RuleFileException(root.where() + ": a sinks file is a list of entries (- sink: ...)");
        }
        List<SinkChannel> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (YamlNode n : root.items()) {
            String kind = n.string("sink", "sink");
            String name = n.stringOr("name", kind);
            String what = "sink '" + name + "'";
            for (String k : n.keys()) {
                if (!KEYS.contains(k)) {
                    throw new RuleFileException(n.get(k).where() + ": " + what + ": unknown key '" + k + "' (known: "
                            + String.join(", ", KEYS) + ")");
                }
            }
            if (!names.add(name)) {
                throw new RuleFileException(n.where() + ": " + what + " is defined twice (give one a name:)");
            }
            AlertSink sink = switch (kind) {
                case "log" -> new LogSink();
                case "webhook" -> new WebhookSink(url(n, what, env), expand(n.string("secret", what), n, what, env));
                case "alertmanager" -> new AlertmanagerSink(url(n, what, env), null);
                case "slack" -> new SlackSink(url(n, what, env));
                default -> throw new RuleFileException(n.get("sink").where() + ": " + what
                        + ": sink is one of log, webhook, alertmanager, slack");
            };
            Priority min = Priority.DEBUG;
            if (n.has("min_priority")) {
                try {
                    min = Priority.valueOf(n.get("min_priority").text().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new RuleFileException(n.get("min_priority").where() + ": " + what
                            + ": min_priority is one of debug, info, notice, warning, error, critical");
                }
            }
            Set<String> rules = new LinkedHashSet<>();
            if (n.has("rules")) {
                n.get("rules").items().forEach(r -> rules.add(r.text()));
            }
            int queue = n.has("queue") ? positive(n.get("queue"), what + ": queue") : 10_000;
            SinkChannel.Retry retry = SinkChannel.Retry.DEFAULT;
            if (n.has("retry")) {
                YamlNode r = n.get("retry");
                retry = new SinkChannel.Retry(r.has("attempts") ? positive(r.get("attempts"), what + ": retry.attempts") : 8,
                        r.has("initial_backoff") ? millis(r.get("initial_backoff"), what) : 200,
                        r.has("max_backoff") ? millis(r.get("max_backoff"), what) : 30_000);
            }
            out.add(new SinkChannel(name, sink, min, Set.copyOf(rules), queue, retry));
        }
        return out;
    }

    private static URI url(YamlNode n, String what, UnaryOperator<String> env) {
        String u = expand(n.string("url", what), n, what, env);
        try {
            URI uri = URI.create(u);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new RuleFileException(n.get("url").where() + ": " + what + ": url '" + u + "' is not an http(s) URL");
        }
    }

    private static String expand(String value, YamlNode n, String what, UnaryOperator<String> env) {
        Matcher m = ENV.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                throw new RuleFileException(n.where() + ": " + what + ": environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static int positive(YamlNode n, String what) {
        try {
            int v = Integer.parseInt(n.text());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RuleFileException(n.where() + ": " + what + " must be a positive number");
    }

    private static long millis(YamlNode n, String what) {
        Map<String, Long> units = Map.of("ms", 1L, "s", 1000L, "m", 60_000L);
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(n.text().strip());
        if (!m.matches()) {
            throw new RuleFileException(n.where() + ": " + what + ": '" + n.text() + "' is not a duration like 200ms or 30s");
        }
        return Long.parseLong(m.group(1)) * units.get(m.group(2));
    }
}
