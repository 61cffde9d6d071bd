package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/** Slack-style incoming webhook: {"text": "..."} (also accepted by Mattermost and Rocket.Chat). */
public final class SlackSink implements AlertSink {
    private final URI url;

    public SlackSink(URI url) {
        this.url = url;
    }

    @Override
    public String kind() {
        return "slack";
    }

    @Override
    public void deliver(Alert a) throws IOException {
        String text = "*" + a.getPriority() + "* `" + a.getRule() + "` on `" + a.getVm() + "`"
                + (a.getCount() > 1 ? " (x" + a.getCount() + ")" : "") + "\n" + a.getMessage();
        HttpPoster.postJson(url, AlertJson.MAPPER.createObjectNode().put("text", text).toString(), Map.of());
    }
}
