package dev.faultline.cli;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import dev.faultline.alerts.Evidence;
import java.util.stream.Collectors;

/** How alerts print: a readable block, or one JSON object per line (docs/design.md §9). */
final class AlertFormat {
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
        return AlertJson.text(a);
    }
}
