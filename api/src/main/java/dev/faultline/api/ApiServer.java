package dev.faultline.api;

import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.rules.RuleSet;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of one analyser instance: the read-only query API (per-VM questions routed to the
 * instance that owns the VM), the dashboard, live updates, the OpenAPI document, /metrics, /health
 * and /ready. Shapes are in docs/api.md and /api/openapi.json.
 */
public final class ApiServer implements AutoCloseable {
    /** Largest request (line and headers) the server reads; queries are short. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final Sources sources;
    private final String token;
    private final LiveUpdates live;
    private final Javalin app;

    /**
     * @param token a bearer token every /api request must carry, or null for none
     */
    public ApiServer(Sources sources, String host, int port, String token) {
        this.sources = sources;
        this.token = token;
        StateQueries queries = sources.queries();
        OwnerRouting routing = new OwnerRouting(queries, new Forwarder());
        VmEndpoints vm = new VmEndpoints(queries);
        this.live = new LiveUpdates(routing, token == null ? null : "Bearer " + token);
        String openApi = resource("/openapi.json");
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
            cfg.jetty.modifyHttpConfiguration(http -> http.setRequestHeaderSize(MAX_REQUEST_BYTES));
            cfg.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/dashboard";
                s.location = Location.CLASSPATH;
            });
            cfg.routes.before("/api/*", this::authorise);
            cfg.routes.get("/health", ctx -> Json.send(ctx, 200, Map.of("status", "UP")));
            cfg.routes.get("/ready", this::ready);
            cfg.routes.get("/metrics", this::metrics);
            cfg.routes.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            cfg.routes.get("/api/vms", routing::vms);
            cfg.routes.get("/api/vm", routing.toOwner(vm::vm));
            cfg.routes.get("/api/vm/gfn", routing.toOwner(vm::gfn));
            cfg.routes.get("/api/vm/ranges", routing.toOwner(vm::ranges));
            cfg.routes.get("/api/vm/memslots", routing.toOwner(vm::memslots));
            cfg.routes.get("/api/vm/alerts", routing.toOwner(vm::alerts));
            cfg.routes.get("/api/rules", this::rules);
            cfg.routes.get("/api/sinks", ctx -> Json.send(ctx, 200, sources.sinks().get()));
            cfg.routes.sse("/api/updates", live::join);
            cfg.routes.exception(ApiException.class, (e, ctx) -> Json.error(ctx, e.status(), e.getMessage()));
            cfg.routes.exception(StateQueries.UnavailableException.class, (e, ctx) -> Json.error(ctx, 503, e.getMessage()));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("query {} failed", ctx.fullUrl(), e);
                Json.error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            cfg.routes.error(404, ctx -> {
                // Our own 404s are JSON already; Javalin's "endpoint not found" is text.
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    Json.error(ctx, 404, "no such endpoint: " + ctx.path());
                }
            });
        });
        app.start(host, port);
    }

    public int port() {
        return app.port();
    }

    /**
     * The bearer token in the Authorization header; on the live-update stream also as
     * {@code ?access_token=}, since a browser's EventSource cannot set headers.
     */
    private void authorise(Context ctx) {
        if (token == null) {
            return;
        }
        String given = ctx.header("Authorization");
        if (given == null && ctx.path().equals("/api/updates") && ctx.queryParam("access_token") != null) {
            given = "Bearer " + ctx.queryParam("access_token");
        }
        byte[] want = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(want, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "missing or wrong bearer token");
        }
    }

    /** Probed often: a state check, not a store scan. */
    private void ready(Context ctx) {
        String notReady = sources.queries().notReadyReason();
        if (notReady == null) {
            Json.send(ctx, 200, Map.of("status", "READY"));
        } else {
            Json.error(ctx, 503, notReady);
        }
    }

    private void metrics(Context ctx) {
        if (sources.metrics() == null) {
            throw new ApiException(404, "metrics are not collected by this process");
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(sources.metrics().get());
    }

    private void rules(Context ctx) {
        RuleSet rules = sources.rules().get();
        Json.send(ctx, 200, rules.rules().values().stream().map(r -> VmJson.Rule.of(r.meta())).toList());
    }

    private static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    @Override
    public void close() {
        live.close();
        app.stop();
    }
}
