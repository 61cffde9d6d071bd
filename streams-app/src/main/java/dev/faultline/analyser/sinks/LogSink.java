package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Structured log: one JSON object per alert on logger "faultline.alerts", at a level by priority. */
public final class LogSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger("faultline.alerts");

    @Override
    public String kind() {
        return "log";
    }

    @Override
    public void deliver(Alert a) {
        String json = AlertJson.text(a);
        switch (a.getPriority()) {
            case CRITICAL, ERROR -> LOG.error(json);
            case WARNING -> LOG.warn(json);
            case NOTICE, INFO -> LOG.info(json);
            default -> LOG.debug(json);
        }
    }
}
