package dev.faultline.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmView;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only query API of one analyser instance: VMs, one VM's summary, a GFN's attributes now
 * or as of a time, the attribute ranges in a GFN window. Answers from this instance's state.
 */
public final class ApiServer implements AutoCloseable {
    /** At most this many ranges in one answer; more sets {@code truncated}. */
    static final int MAX_RANGES = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StateQueries queries;
    private final String token;
    private final Javalin app;

    /**
     * @param token a bearer token every /api request must carry, or null for none
     */
    public ApiServer(StateQueries queries, String host, int port, String token) {
        this.queries = queries;
        this.token = token;
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = 16 * 1024;
            cfg.routes.before("/api/*", this::authorise);
            cfg.routes.get("/health", ctx -> json(ctx, 200, Map.of("status", "UP")));
            cfg.routes.get("/ready", this::ready);
            cfg.routes.get("/api/vms", this::vms);
            cfg.routes.get("/api/vm", this::vm);
            cfg.routes.get("/api/vm/gfn", this::gfn);
            cfg.routes.get("/api/vm/ranges", this::ranges);
            cfg.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            cfg.routes.exception(StateQueries.UnavailableException.class, (e, ctx) -> error(ctx, 503, e.getMessage()));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("query {} failed", ctx.fullUrl(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            cfg.routes.error(404, ctx -> {
                // Our own 404s are JSON already; Javalin's "endpoint not found" is text.
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    error(ctx, 404, "no such endpoint: " + ctx.path());
                }
            });
        });
        app.start(host, port);
    }

    public int port() {
        return app.port();
    }

    private void authorise(Context ctx) {
        if (token == null) {
            return;
        }
        String given = ctx.header("Authorization");
        byte[] want = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(want, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "missing or wrong bearer token");
        }
    }

    /** Probed often: a state check, not a store scan. */
    private void ready(Context ctx) {
        String notReady = queries.notReadyReason();
        if (notReady == null) {
            json(ctx, 200, Map.of("status", "READY"));
        } else {
            error(ctx, 503, notReady);
        }
    }

    private void vms(Context ctx) {
        List<VmJson.VmListEntry> out = queries.localVms().entrySet().stream()
                .map(e -> VmJson.VmListEntry.of(e.getKey(), e.getValue())).toList();
        json(ctx, 200, out);
    }

    private void vm(Context ctx) {
        VmView view = view(ctx);
        json(ctx, 200, VmJson.VmSummary.of(view.vm(), view.state()));
    }

    private void gfn(Context ctx) {
        long gfn = Params.gfn("gfn", ctx.queryParam("gfn"));
        Long at = Params.time("at", ctx.queryParam("at"));
        json(ctx, 200, VmJson.GfnAnswer.of(view(ctx), gfn, at));
    }

    private void ranges(Context ctx) {
        long first = Params.gfn("first", ctx.queryParam("first"));
        long last = Params.gfn("last", ctx.queryParam("last"));
        if (Long.compareUnsigned(first, last) > 0) {
            throw ApiException.badRequest("window is empty: first " + VmJson.hex(first) + " > last " + VmJson.hex(last));
        }
        VmView view = view(ctx);
        // One more than the cap tells whether there were more, without reading the rest of the map.
        List<Interval> read = view.attributeRanges(first, last, MAX_RANGES + 1);
        List<VmJson.Range> ranges = read.stream().limit(MAX_RANGES).map(VmJson.Range::of).toList();
        json(ctx, 200, new VmJson.Ranges(view.vm(), VmJson.hex(first), VmJson.hex(last), ranges, read.size() > MAX_RANGES));
    }

    private VmView view(Context ctx) {
        String vm = Params.vm(ctx.queryParam("vm"));
        return queries.localView(vm).orElseThrow(() -> new ApiException(404, "no VM '" + vm + "' on this instance"));
    }

    private static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write answer", e);
        }
    }

    private static void error(Context ctx, int status, String message) {
        json(ctx, status, new VmJson.Error(status, message));
    }

    @Override
    public void close() {
        app.stop();
    }
}
