package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import java.io.IOException;

/** One place alerts go. {@link #deliver} makes one attempt; the channel around it retries. */
public interface AlertSink {

    /** log, webhook, alertmanager, slack. */
    String kind();

    void deliver(Alert alert) throws IOException;
}
