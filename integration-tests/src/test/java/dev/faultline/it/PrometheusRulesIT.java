package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.events.Topics;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.metrics.CollectorMetrics;
import dev.faultline.collector.publish.DiskSpool;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.EventSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting rules the archive ships (distribution/src/prometheus, under prometheus/ in the archive):
 * promtool (Debian's prometheus package) checks them and runs their unit tests; and every metric they name,
 * with the labels they select and group by, is one a running collector and analyser really serve on
 * /metrics, so a renamed meter or label breaks this test rather than silently muting an alert.
 */
class PrometheusRulesIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DIR = ROOT.resolve("distribution/src/prometheus");
    static final Path RULES = DIR.resolve("faultline-alerts.yml");
    static final Path TESTS = DIR.resolve("faultline-alerts.test.yml");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    /** Labels Prometheus gives every series of a scrape target; no exporter serves them. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
        KernelFeatures.requireTool(Files.isExecutable(PROMTOOL), "promtool at " + PROMTOOL + " (apt-get install prometheus)");
        promtool("check", "rules", RULES.toString());
        promtool("test", "rules", TESTS.toString());
    }

    /** Runs promtool in the rules' directory, prints what it said, and fails on a non-zero exit with its output. */
    static void promtool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s:\n" + out);
        }
        System.out.println("$ " + String.join(" ", cmd) + "\n" + out);
        assertThat(p.exitValue()).as("%s exited %d:%n%s", String.join(" ", cmd), p.exitValue(), out).isZero();
    }

    /**
     * A real analyser (LocalPipeline on the test broker, with a sink) and the real collector plumbing (replay of the
     * demo scenario plus a ring-buffer loss line, through the parser and resolver into a spooling KafkaPublisher, as
     * `collect` runs it) serve /metrics over HTTP; every `faultline_*` and `kafka_*` series the rules' expressions
     * and annotations name must be there, with every label they match on or group by. `up` is Prometheus's own.
     * The Kafka client metrics per partition appear only once Micrometer's KafkaStreamsMetrics has refreshed its
     * meters (every 60 s), so this waits up to 150 s for them.
     */
    @Test
    void everyMetricAndLabelTheRulesUseIsServed(@TempDir Path tmp) throws Exception {
        List<Selector> selectors = selectors(new YAMLMapper().readTree(RULES.toFile()));
        assertThat(selectors).as("selectors parsed from %s", RULES).hasSizeGreaterThan(10);
        System.out.println("metrics the rules use: " + new TreeSet<>(selectors.stream().map(Selector::name).toList()));

        Path sinks = Files.writeString(tmp.resolve("sinks.yaml"), "- sink: log\n");
        Path trace = tmp.resolve("demo-with-loss.trace");
        Files.writeString(trace, Files.readString(ROOT.resolve("scenarios/demo-snp.trace")) + "CPU:1 [LOST 17 EVENTS]\n");
        RuleSet rules = RuleSet.load(ROOT.resolve("rules"));
        try (LocalPipeline pipeline = TestKafka.pipeline(rules, a -> { }, SinkConfig.load(sinks))) {
            ApiServer api = new ApiServer(new Sources(pipeline.queries(), () -> rules, pipeline::sinkStats,
                    pipeline::scrapeMetrics), "127.0.0.1", 0, null);
            CollectorStats stats = new CollectorStats();
            KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), Map.of(), Topics.EVENTS,
                    new DiskSpool(tmp.resolve("spool"), 64L << 20), n -> { });
            CollectorMetrics collector = new CollectorMetrics(stats, publisher)
                    .serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                TracePipeline collect = new TracePipeline(new HostContext("rules-host", EventSource.REPLAY,
                        Clock.systemUTC(), 47, 1), publisher, stats);
                ReplaySource source = new ReplaySource(trace.toString());
                source.reportLossTo(collect::loss);
                publisher.reportLossTo(collect::loss);
                source.runBytes(collect);
                collect.finish();
                publisher.flush();
                assertThat(publisher.failed()).as("events Kafka refused").isZero();
                pipeline.awaitProcessed(Duration.ofSeconds(120));

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                List<String> problems;
                String collectorText;
                String analyserText;
                while (true) {
                    collectorText = get(collector.port(), "/metrics");
                    analyserText = get(api.port(), "/metrics");
                    Map<String, List<Map<String, String>>> served = parse(collectorText);
                    served.putAll(parse(analyserText));
                    problems = check(selectors, served);
                    if (problems.isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(2000);
                }
                assertThat(problems).as("what the rules use but /metrics does not serve; the collector served:%n%s%n"
                        + "the analyser served (faultline_* and kafka_consumer_fetch_manager_* only):%n%s", collectorText,
                        analyserText.lines().filter(l -> l.startsWith("faultline_") || l.startsWith("kafka_consumer_fetch_manager"))
                                .reduce("", (a, b) -> a + b + "\n")).isEmpty();
            } finally {
                collector.close();
                publisher.close();
                api.close();
            }
        }
    }

    /** A metric named in a rule, with its label matchers (label, operator, value) and the labels grouped by. */
    record Selector(String alert, String name, List<String[]> matchers, Set<String> groupedBy) {
    }

    static final Pattern METRIC = Pattern.compile("\\b((?:faultline|kafka)_[a-zA-Z0-9_]+)\\b(\\s*\\{([^}]*)})?");
    static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    static final Pattern GROUPING = Pattern.compile("\\b(?:by|on|without|ignoring)\\s*\\(([^)]*)\\)");

    /** The metrics each alert's expression names (with matchers and grouping labels), and those its annotations name. */
    static List<Selector> selectors(JsonNode doc) {
        List<Selector> out = new ArrayList<>();
        for (JsonNode group : doc.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String alert = rule.path("alert").asText(rule.path("record").asText());
                String expr = rule.get("expr").asText();
                Set<String> grouped = new LinkedHashSet<>();
                Matcher g = GROUPING.matcher(expr);
                while (g.find()) {
                    for (String l : g.group(1).split(",")) {
                        if (!l.isBlank() && !TARGET_LABELS.contains(l.trim())) {
                            grouped.add(l.trim());
                        }
                    }
                }
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    List<String[]> matchers = new ArrayList<>();
                    if (m.group(3) != null) {
                        Matcher mm = MATCHER.matcher(m.group(3));
                        while (mm.find()) {
                            matchers.add(new String[] {mm.group(1), mm.group(2), mm.group(3)});
                        }
                    }
                    out.add(new Selector(alert, m.group(1), matchers, grouped));
                }
                // names an operator is told to look at in the annotations
                for (JsonNode a : rule.path("annotations")) {
                    Matcher am = METRIC.matcher(a.asText());
                    while (am.find()) {
                        out.add(new Selector(alert, am.group(1), List.of(), Set.of()));
                    }
                }
            }
        }
        return out;
    }

    /** Everything a selector needs that the served series lack, one line each. */
    static List<String> check(List<Selector> selectors, Map<String, List<Map<String, String>>> served) {
        List<String> problems = new ArrayList<>();
        for (Selector s : selectors) {
            List<Map<String, String>> series = served.get(s.name());
            if (series == null) {
                problems.add(s.alert() + ": no series " + s.name());
                continue;
            }
            for (String[] m : s.matchers()) {
                if (TARGET_LABELS.contains(m[0])) {
                    continue;
                }
                boolean ok = switch (m[1]) {
                    case "=" -> series.stream().anyMatch(l -> m[2].equals(l.get(m[0])));
                    case "=~" -> series.stream().anyMatch(l -> l.containsKey(m[0]) && l.get(m[0]).matches(m[2]));
                    default -> series.stream().anyMatch(l -> l.containsKey(m[0])); // != and !~: the label must exist
                };
                if (!ok) {
                    problems.add(s.alert() + ": no series " + s.name() + "{" + m[0] + m[1] + "\"" + m[2] + "\"}");
                }
            }
            for (String label : s.groupedBy()) {
                // grouping by a label only makes sense if the metric carries it, unless another metric of the
                // expression does (checked for that one)
                boolean anyInExpr = selectors.stream().filter(o -> o.alert().equals(s.alert()) && served.containsKey(o.name()))
                        .anyMatch(o -> served.get(o.name()).stream().anyMatch(l -> l.containsKey(label)));
                if (!anyInExpr) {
                    problems.add(s.alert() + ": groups by '" + label + "', which no metric of its expression carries");
                }
            }
        }
        return problems.stream().distinct().toList();
    }

    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Prometheus text exposition: each metric name with the label sets of its series. */
    static Map<String, List<Map<String, String>>> parse(String exposition) {
        Map<String, List<Map<String, String>>> out = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            boolean labelled = brace >= 0 && (space < 0 || brace < space);
            String name = line.substring(0, labelled ? brace : space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (labelled) {
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(labels);
        }
        return out;
    }

    static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s on port %d", path, port).isEqualTo(200);
        return r.body();
    }
}
