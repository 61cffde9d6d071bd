package dev.faultline.analyser.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force, reloaded when the rule files change, without a restart. A new set replaces
 * the old only if it loads cleanly; a broken edit keeps the old rules running and is reported.
 * Polls file names, sizes and modification times: cheap, and works where inotify does not (bind
 * mounts, network file systems).
 */
public final class RuleReloader implements Supplier<RuleSet>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuleReloader.class);

    private final Path dir;
    private final AtomicReference<RuleSet> current;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicLong reloads = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private String fingerprint;

    public RuleReloader(Path dir, Duration interval) {
        this.dir = dir;
        this.fingerprint = fingerprint();
        this.current = new AtomicReference<>(RuleSet.load(dir));
        this.thread = new Thread(() -> loop(interval), "faultline-rule-reloader");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public RuleSet get() {
        return current.get();
    }

    /** The last reload failure, or null when the files in force loaded cleanly. */
    public String lastError() {
        return lastError.get();
    }

    public long reloads() {
        return reloads.get();
    }

    private void loop(Duration interval) {
        while (running) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            checkNow();
        }
    }

    /** Reloads if the files changed since the last look. */
    public synchronized void checkNow() {
        String now = fingerprint();
        if (now.equals(fingerprint)) {
            return;
        }
        fingerprint = now;
        try {
            RuleSet next = RuleSet.load(dir);
            current.set(next);
            lastError.set(null);
            reloads.incrementAndGet();
            LOG.info("rules reloaded from {}: {} enabled", dir, next.enabled().size());
        } catch (RuleFileException e) {
            lastError.set(e.getMessage());
            LOG.error("rules in {} do not load; keeping the previous rules: {}", dir, e.getMessage());
        }
    }

    private String fingerprint() {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            StringBuilder sb = new StringBuilder();
            for (Path f : files) {
                sb.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                        .append(Files.getLastModifiedTime(f).toMillis()).append(';');
            }
            return sb.toString();
        } catch (IOException e) {
            return "unreadable:" + e.getMessage();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
