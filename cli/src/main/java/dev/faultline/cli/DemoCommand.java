package dev.faultline.cli;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.LogOptions;
import dev.faultline.commandline.RulesOption;
import dev.faultline.testkit.DemoScenario;
import dev.faultline.testkit.LocalPipeline;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.sinks.SinkConfig;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import dev.faultline.collector.stats.CollectorStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on this machine: a real Kafka broker in-process (KRaft, no Docker), "
            + "the streaming analyser, and the collector replaying a bundled SEV-SNP scenario. "
            + "Prints each alert as it arrives; serves until Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--exit-after-replay", description = "Stop once the scenario is analysed instead of serving.")
    boolean exitAfterReplay;

    @Option(names = "--trace", paramLabel = "FILE", description = "Replay this trace instead of the bundled scenario.")
    Path trace;

    @Mixin
    RulesOption rules;

    @picocli.CommandLine.Mixin
    LogOptions log;

    @Option(names = "--sinks", paramLabel = "FILE", description = "Also route alerts to the sinks in this file (see docs/sinks.md).")
    Path sinks;

    @picocli.CommandLine.Mixin
    HttpApiOptions http;

    @Override
    public Integer call() throws Exception {
        Path file = trace != null ? trace : DemoScenario.path();
        AtomicInteger alerts = new AtomicInteger();
        System.err.println("faultline demo: starting an in-process Kafka broker and the analyser ...");
        RuleSet ruleSet = RuleSet.load(rules.dir());
        try (LocalPipeline pipeline = LocalPipeline.start(ruleSet, a -> {
            alerts.incrementAndGet();
            synchronized (System.out) {
                System.out.print("ALERT " + AlertFormat.text(a));
                System.out.flush();
            }
        }, sinks == null ? java.util.List.of() : SinkConfig.load(sinks))) {
            // Serve from the start, so the dashboard shows the scenario as it is analysed.
            ApiServer api = exitAfterReplay ? null : http.start(new Sources(
                    pipeline.queries(), () -> ruleSet, pipeline::sinkStats, pipeline::scrapeMetrics));
            System.err.println("faultline demo: broker at " + pipeline.bootstrapServers()
                    + (api == null ? "" : "; dashboard at " + HttpApiOptions.url(api, http.httpHost))
                    + "; replaying " + file);
            CollectorStats stats = pipeline.replay(file.toString(), "demo-host");
            pipeline.awaitProcessed(Duration.ofSeconds(120));
            System.err.printf("faultline demo: %d events from %d lines analysed, %d alert(s)%n", stats.totalEvents(),
                    stats.lines(), alerts.get());
            if (!exitAfterReplay) {
                System.err.println("faultline demo: serving" + (api == null ? "" : "; dashboard at "
                        + HttpApiOptions.url(api, http.httpHost) + ", queries under /api (docs/api.md)") + "; Ctrl-C stops");
                CountDownLatch stop = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    stop.countDown();
                    if (api != null) {
                        api.close();
                    }
                    pipeline.close();
                });
                Runtime.getRuntime().addShutdownHook(hook);
                stop.await();
            }
        }
        return ExitCodes.OK;
    }
}
