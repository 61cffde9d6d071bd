package dev.faultline.api;

import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for the dashboard: a {@code vms} event with every instance's VM list (the
 * /api/vms answer) when it changes, checked each second; the page then re-reads the VM it shows.
 */
final class LiveUpdates implements AutoCloseable {
    /** At most this many open streams; more get a 503 (each holds a connection). */
    static final int MAX_CLIENTS = 64;
    private static final Logger LOG = LoggerFactory.getLogger(LiveUpdates.class);

    private final OwnerRouting routing;
    private final String authorization;
    private final Map<SseClient, String> lastSent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faultline-live-updates");
        t.setDaemon(true);
        return t;
    });

    /** @param authorization what this server sends to the other instances (their shared token), or null */
    LiveUpdates(OwnerRouting routing, String authorization) {
        this.routing = routing;
        this.authorization = authorization;
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void join(SseClient client) {
        if (lastSent.size() >= MAX_CLIENTS) {
            client.sendEvent("error", "too many live-update streams open on this instance");
            client.close();
            return;
        }
        client.onClose(() -> lastSent.remove(client));
        lastSent.put(client, "");
        client.keepAlive();
        timer.execute(this::tick);
    }

    private void tick() {
        if (lastSent.isEmpty()) {
            return;
        }
        String now;
        try {
            now = routing.allVmsText(authorization);
        } catch (Exception e) {
            // Not ready or an instance is away: say so; the page keeps what it has.
            lastSent.keySet().forEach(c -> c.sendEvent("unavailable", String.valueOf(e.getMessage())));
            LOG.debug("live update skipped", e);
            return;
        }
        lastSent.replaceAll((client, before) -> {
            if (!now.equals(before) && !client.terminated()) {
                client.sendEvent("vms", now);
            } else if (!client.terminated()) {
                client.sendComment("tick");
            }
            return now;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        lastSent.keySet().forEach(SseClient::close);
    }
}
