package dev.faultline.analyser.sinks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * Prometheus Alertmanager: POST /api/v2/alerts with labels alertname/rule/vm/priority/severity/host
 * (what routes and groups) and alert_id, and annotations summary/description/alert_id/gfn (what people
 * read). Alertmanager tells alerts apart by their labels: with the alert id among them, two alerts of
 * one rule on one VM (two GFN ranges) stay two, and a folded update or a redelivery of one alert
 * replaces it instead of adding another.
 */
public final class AlertmanagerSink implements AlertSink {
    private final URI endpoint;
    private final String generatorUrl;

    public AlertmanagerSink(URI base, String generatorUrl) {
        String b = base.toString();
        this.endpoint = URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/api/v2/alerts");
        this.generatorUrl = generatorUrl;
    }

    @Override
    public String kind() {
        return "alertmanager";
    }

    @Override
    public void deliver(Alert a) throws IOException {
        ArrayNode body = AlertJson.MAPPER.createArrayNode();
        ObjectNode alert = body.addObject();
        ObjectNode labels = alert.putObject("labels");
        labels.put("alertname", a.getRule());
        labels.put("rule", a.getRule());
        labels.put("vm", a.getVm());
        labels.put("host", a.getHost());
        labels.put("priority", a.getPriority().name().toLowerCase());
        labels.put("severity", a.getPriority().name().toLowerCase());
        labels.put("alert_id", a.getAlertId());
        ObjectNode ann = alert.putObject("annotations");
        ann.put("summary", a.getRule() + " on " + a.getVm());
        ann.put("description", a.getMessage());
        ann.put("alert_id", a.getAlertId());
        ann.put("count", String.valueOf(a.getCount()));
        if (a.getGfnStart() != null) {
            ann.put("gfn", "0x" + Long.toHexString(a.getGfnStart()) + "..0x" + Long.toHexString(a.getGfnEnd()));
        }
        alert.put("startsAt", Instant.now().toString());
        if (generatorUrl != null) {
            alert.put("generatorURL", generatorUrl);
        }
        HttpPoster.postJson(endpoint, body.toString(), Map.of());
    }
}
