package dev.faultline.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.query.StateQueries.Owner;
import dev.faultline.analyser.query.VmFacts;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Sends each per-VM question to the instance that owns the VM (Kafka Streams' key metadata) and
 * gathers the VM list from every instance, so any instance answers for every VM.
 */
final class OwnerRouting {
    private final StateQueries queries;
    private final Forwarder forwarder;

    OwnerRouting(StateQueries queries, Forwarder forwarder) {
        this.queries = queries;
        this.forwarder = forwarder;
    }

    /** {@code local} when this instance owns the request's VM, else the owner's answer. */
    Handler toOwner(Handler local) {
        return ctx -> {
            String vm = Params.vm(ctx.queryParam("vm"));
            Owner owner = queries.ownerOf(vm);
            if (owner.local()) {
                local.handle(ctx);
            } else if (Forwarder.isForwarded(ctx)) {
                // We were asked as the owner but are not (any more): the partition is moving.
                throw new ApiException(503, "VM '" + vm + "' is moving to " + owner.host() + ":" + owner.port()
                        + " (rebalance); ask again");
            } else {
                forwarder.forward(ctx, owner);
            }
        };
    }

    /** The VMs of this instance, and unless the request was forwarded, of every other instance. */
    void vms(Context ctx) throws IOException {
        ctx.status(200).contentType("application/json").result(vmsText(!Forwarder.isForwarded(ctx), ctx.header("Authorization")));
    }

    /** Every instance's VMs, as the list /api/vms answers (for live updates). */
    String allVmsText(String authorization) throws IOException {
        return vmsText(true, authorization);
    }

    private String vmsText(boolean everyInstance, String authorization) throws IOException {
        List<JsonNode> all = new ArrayList<>(localVms());
        if (everyInstance) {
            all.addAll(remoteVms(authorization));
        }
        all.sort(Comparator.comparing(n -> n.path("id").asText()));
        return Json.text(all);
    }

    private List<JsonNode> localVms() {
        List<JsonNode> out = new ArrayList<>();
        for (VmFacts vm : queries.localVms().values()) {
            out.add(Json.MAPPER.valueToTree(VmJson.VmListEntry.of(vm)));
        }
        return out;
    }

    private List<JsonNode> remoteVms(String authorization) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (Owner other : queries.otherInstances()) {
            Forwarder.Answer a = forwarder.get(other, "/api/vms", authorization);
            if (a.status() != 200) {
                throw new ApiException(503, "instance " + other.host() + ":" + other.port() + " answered "
                        + a.status() + ": " + a.body());
            }
            ((ArrayNode) Json.MAPPER.readTree(a.body())).forEach(out::add);
        }
        return out;
    }
}
