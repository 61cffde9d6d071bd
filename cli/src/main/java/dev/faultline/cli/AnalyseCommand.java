package dev.faultline.cli;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.KafkaOptions;
import dev.faultline.commandline.LogOptions;
import dev.faultline.commandline.RulesOption;

import dev.faultline.analyser.Analyser;
import dev.faultline.analyser.AnalyserConfig;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "analyse", aliases = "analyze", mixinStandardHelpOptions = true,
        description = {"Run the streaming analyser against a Kafka cluster (exactly-once, RocksDB state) until interrupted.",
            "Rule files are reloaded when they change; an edit that does not load keeps the previous rules and is logged."})
final class AnalyseCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    LogOptions log;

    @Mixin
    RulesOption rules;

    @Option(names = "--sinks", paramLabel = "FILE",
            description = "Sinks file (log, webhook, alertmanager, slack); see docs/sinks.md. Without it alerts stay on faultline.alerts.")
    Path sinks;

    @Option(names = "--application-server", paramLabel = "HOST:PORT",
            description = "This instance's query API as the other instances reach it (its host and --http-port; Kafka "
                    + "Streams application.server). Needed with more than one instance: a query to any instance is "
                    + "then forwarded to the one that owns the VM.")
    String applicationServer;

    @Option(names = "--state-dir", defaultValue = "${java.io.tmpdir}/faultline-streams", paramLabel = "DIR",
            description = "Kafka Streams state directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    HttpApiOptions http;

    @Override
    public Integer call() throws InterruptedException {
        if (kafka.bootstrapServers == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required");
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // The JVM exits when its hooks end: the hook waits until everything below is closed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        haltWhenAThreadDiesOfAnError();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try (Analyser analyser = new Analyser(new AnalyserConfig(kafka.bootstrapServers, kafka.clientProperties(), stateDir,
                rules.dir(), sinks, applicationServer))) {
            analyser.failure().thenAccept(e -> {
                failed.set(e);
                stop.countDown();
            });
            analyser.start();
            ApiServer api = http.start(new Sources(analyser.queries(), analyser.rules(), analyser::sinkStats,
                    analyser.metrics()::scrape));
            System.err.println("faultline analyse: running against " + kafka.bootstrapServers
                    + (api == null ? "" : "; queries at " + HttpApiOptions.url(api, http.httpHost)) + " (Ctrl-C stops)");
            stop.await();
            if (api != null) {
                api.close();
            }
        } finally {
            closed.countDown();
        }
        if (failed.get() != null) {
            System.err.println("faultline analyse: stopped: Kafka Streams failed: " + rootCause(failed.get()));
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /**
     * A thread nobody watches that dies of an Error stops the process (exit 3) instead of leaving it half alive.
     * Kafka Streams 4.3.1's state-updater thread is one: it catches only RuntimeExceptions, and when an Error ends
     * it, the tasks it was restoring are dropped without a word (KAFKA-20721, fixed after 4.3.1) — the instance
     * keeps running and its partitions never answer. Stopped, its supervisor restarts it and the group rebalances;
     * exactly-once makes the stop a crash like any other. Out of memory already exits (-XX:+ExitOnOutOfMemoryError).
     */
    private static void haltWhenAThreadDiesOfAnError() {
        Thread.setDefaultUncaughtExceptionHandler(dying(code -> Runtime.getRuntime().halt(code)));
    }

    /** Logs a thread's death; an Error also stops the process through {@code halt} with exit code 3. */
    static Thread.UncaughtExceptionHandler dying(IntConsumer halt) {
        return (thread, e) -> {
            System.err.println("faultline analyse: thread " + thread.getName() + " died:");
            e.printStackTrace();
            if (e instanceof Error) {
                System.err.println("faultline analyse: stopping (exit " + ExitCodes.FAILED + "): a thread died of " + e);
                halt.accept(ExitCodes.FAILED);
            }
        };
    }

    /** The innermost cause, where Kafka names what was refused (e.g. "Transactional Id authorization failed"). */
    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
