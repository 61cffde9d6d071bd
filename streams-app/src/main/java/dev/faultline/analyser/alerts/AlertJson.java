package dev.faultline.analyser.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import java.util.TreeMap;

/**
 * An alert as JSON, the one shape for `faultline check --format json`, the webhook and logs:
 * rule, priority, vm, host, gfn_start/gfn_end (hex, inclusive), message, count, evidence (sequence
 * numbers), evidence_detail, tags, state, times.
 */
public final class AlertJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    public static ObjectNode of(Alert a) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("alert_id", a.getAlertId());
        o.put("rule", a.getRule());
        o.put("priority", a.getPriority().name().toLowerCase());
        o.put("vm", a.getVm());
        o.put("host", a.getHost());
        if (a.getGfnStart() != null) {
            o.put("gfn_start", "0x" + Long.toHexString(a.getGfnStart()));
            o.put("gfn_end", "0x" + Long.toHexString(a.getGfnEnd()));
        } else {
            o.putNull("gfn_start");
            o.putNull("gfn_end");
        }
        o.put("message", a.getMessage());
        o.put("count", a.getCount());
        o.put("first_ts", a.getFirstKernelTsNs());
        o.put("last_ts", a.getLastKernelTsNs());
        ArrayNode seqs = o.putArray("evidence");
        ArrayNode detail = o.putArray("evidence_detail");
        for (Evidence e : a.getEvidence()) {
            seqs.add(e.getSeq());
            detail.addObject().put("seq", e.getSeq()).put("type", e.getType()).put("ts", e.getKernelTsNs())
                    .put("summary", e.getSummary());
        }
        ArrayNode tags = o.putArray("tags");
        a.getTags().forEach(tags::add);
        // by name: a record read back from Kafka holds its map in hash order, one made in-process in the rule's
        // order; the same alert prints the same either way
        ObjectNode state = o.putObject("state");
        new TreeMap<>(a.getState()).forEach(state::put);
        return o;
    }

    public static String text(Alert a) {
        return of(a).toString();
    }
}
