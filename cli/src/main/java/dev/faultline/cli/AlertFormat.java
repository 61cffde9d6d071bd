package dev.faultline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import java.util.stream.Collectors;

/** How alerts print: a readable block, or one JSON object per line (SPEC 6). */
final class AlertFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertFormat() {
    }

    static String text(Alert a) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.getPriority()).append("  ").append(a.getRule()).append("  vm ").append(a.getVm());
        if (a.getGfnStart() != null) {
            sb.append("  gfn 0x").append(Long.toHexString(a.getGfnStart()));
            if (!a.getGfnStart().equals(a.getGfnEnd())) {
                sb.append("..0x").append(Long.toHexString(a.getGfnEnd()));
            }
        }
        if (a.getCount() > 1) {
            sb.append("  x").append(a.getCount());
        }
        sb.append('\n').append("    ").append(a.getMessage()).append('\n');
        for (Evidence e : a.getEvidence()) {
            sb.append("    evidence seq ").append(e.getSeq()).append(" ").append(e.getType()).append(": ")
                    .append(e.getSummary()).append('\n');
        }
        if (!a.getState().isEmpty()) {
            sb.append("    state: ").append(a.getState().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                    .collect(Collectors.joining(", "))).append('\n');
        }
        return sb.toString();
    }

    static String json(Alert a) {
        ObjectNode o = JSON.createObjectNode();
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
        ArrayNode seqs = o.putArray("evidence");
        ArrayNode detail = o.putArray("evidence_detail");
        for (Evidence e : a.getEvidence()) {
            seqs.add(e.getSeq());
            detail.addObject().put("seq", e.getSeq()).put("type", e.getType()).put("ts", e.getKernelTsNs())
                    .put("summary", e.getSummary());
        }
        ArrayNode tags = o.putArray("tags");
        a.getTags().forEach(tags::add);
        ObjectNode state = o.putObject("state");
        a.getState().forEach(state::put);
        return o.toString();
    }
}
