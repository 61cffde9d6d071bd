package dev.faultline.analyser.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faultline.alerts.Alert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A VM's latest alerts with their evidence, and how many alerts each rule raised: what the query
 * API and dashboard show. Kept per VM id in the {@code recent-alerts} store, beside the VM's state.
 */
public final class RecentAlerts {
    /** Alerts kept per VM; older ones stay on faultline.alerts and in the sinks. */
    public static final int KEEP = 200;

    /** Oldest first, in the JSON shape of {@link AlertJson}. */
    public List<JsonNode> alerts = new ArrayList<>();
    /** Alerts (not repeats) per rule since the VM was first seen. */
    public Map<String, Long> perRule = new TreeMap<>();
    public long total;

    /** Adds an alert, or updates the one with its id (a fold summary carries the repeats' count). */
    public void add(Alert a) {
        JsonNode json = AlertJson.of(a);
        for (int i = alerts.size() - 1; i >= 0; i--) {
            if (a.getAlertId().equals(alerts.get(i).path("alert_id").asText())) {
                alerts.set(i, json);
                return;
            }
        }
        alerts.add(json);
        perRule.merge(a.getRule(), 1L, Long::sum);
        total++;
        if (alerts.size() > KEEP) {
            alerts.subList(0, alerts.size() - KEEP).clear();
        }
    }
}
