package dev.faultline.api;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.query.GfnRange;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.query.VmReader;
import io.javalin.http.Context;
import java.util.List;

/**
 * The per-VM questions, answered from this instance's state; {@link OwnerRouting} sends each to the
 * instance that owns the VM first.
 */
final class VmEndpoints {
    /** At most this many ranges in one answer; more sets {@code truncated}. */
    static final int MAX_RANGES = 10_000;
    /** At most this many alerts in one answer (the store keeps no more per VM anyway). */
    static final int MAX_ALERTS = StateQueries.ALERTS_KEPT;

    private final StateQueries queries;

    VmEndpoints(StateQueries queries) {
        this.queries = queries;
    }

    void vm(Context ctx) {
        Json.send(ctx, 200, VmJson.VmSummary.of(view(ctx).facts()));
    }

    void gfn(Context ctx) {
        long gfn = Params.gfn("gfn", ctx.queryParam("gfn"));
        Long at = Params.time("at", ctx.queryParam("at"));
        Json.send(ctx, 200, VmJson.GfnAnswer.of(view(ctx), gfn, at));
    }

    void ranges(Context ctx) {
        long first = Params.gfn("first", ctx.queryParam("first"));
        long last = Params.gfn("last", ctx.queryParam("last"));
        Long at = Params.time("at", ctx.queryParam("at"));
        if (Long.compareUnsigned(first, last) > 0) {
            throw ApiException.badRequest("window is empty: first " + VmJson.hex(first) + " > last " + VmJson.hex(last));
        }
        VmReader view = view(ctx);
        // One more than the cap tells whether there were more, without reading the rest of the map.
        List<GfnRange> read = at == null ? view.attributeRanges(first, last, MAX_RANGES + 1)
                : view.attributeRangesAt(first, last, at, MAX_RANGES + 1);
        List<VmJson.Range> ranges = read == null ? null : read.stream().limit(MAX_RANGES).map(VmJson.Range::of).toList();
        // Population is kept as it is now, without history.
        List<GfnRange> populated = at == null ? view.populatedGfns(first, last, MAX_RANGES + 1) : null;
        Json.send(ctx, 200, new VmJson.Ranges(view.vm(), VmJson.hex(first), VmJson.hex(last), at, ranges,
                populated == null ? null : populated.stream().limit(MAX_RANGES).map(VmJson.Span::of).toList(),
                (read != null && read.size() > MAX_RANGES) || (populated != null && populated.size() > MAX_RANGES)));
    }

    void memslots(Context ctx) {
        Json.send(ctx, 200, VmJson.Memslots.of(view(ctx).facts()));
    }

    void alerts(Context ctx) {
        int limit = Params.limit("limit", ctx.queryParam("limit"), MAX_ALERTS);
        VmReader view = view(ctx);
        List<Alert> latest = queries.localAlerts(view.vm(), limit).orElseThrow(() -> vmMissing(view.vm()));
        Json.send(ctx, 200, VmJson.Alerts.of(view.facts(), latest));
    }

    private VmReader view(Context ctx) {
        String vm = Params.vm(ctx.queryParam("vm"));
        return queries.localView(vm).orElseThrow(() -> vmMissing(vm));
    }

    private static ApiException vmMissing(String vm) {
        return new ApiException(404, "no VM '" + vm + "'");
    }
}
