package dev.faultline.analyser.topology;

import dev.faultline.events.Topics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that cannot be decoded goes to the dead-letter topic (KIP-1034: Kafka's handler builds it, with
 * the reason in its headers) and the analyser carries on. The log says so once per {@link #REPORT_MS}, with
 * a count and the latest reason, and reports the tail of a burst when its interval ends: a flood of poison
 * (PoisonIT sends 900 000 bad records) must not write a warning with a stack trace per record, which
 * Kafka's handler does (off in logback.xml). Kafka Streams counts them too:
 * {@code kafka_stream_task_dropped_records_total} on /metrics.
 */
public final class DeadLetterHandler extends LogAndContinueExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    static final long REPORT_MS = 10_000;

    /** Reports the tail of a burst that no later record would report. */
    private static final ScheduledExecutorService LATE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faultline-dead-letter-report");
        t.setDaemon(true);
        return t;
    });

    private long unreported;
    private long lastReportMs = -REPORT_MS;
    private boolean lateReportPending;
    private String lastWhere;
    private String lastReason;

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        counted(System.currentTimeMillis(), record.topic() + "-" + record.partition() + " offset " + record.offset(),
                exception.getMessage());
        return response;
    }

    /** One more dead letter; logs the count since the last report when {@link #REPORT_MS} has passed. */
    synchronized boolean counted(long nowMs, String where, String reason) {
        unreported++;
        lastWhere = where;
        lastReason = reason;
        if (nowMs - lastReportMs < REPORT_MS) {
            if (!lateReportPending) {
                lateReportPending = true;
                LATE.schedule(this::reportLate, lastReportMs + REPORT_MS - nowMs, TimeUnit.MILLISECONDS);
            }
            return false;
        }
        report(nowMs);
        return true;
    }

    private synchronized void reportLate() {
        lateReportPending = false;
        if (unreported > 0) {
            report(System.currentTimeMillis());
        }
    }

    private void report(long nowMs) {
        LOG.warn("{} record(s) undecodable, sent to {} (the latest at {}: {})", unreported, Topics.DEAD_LETTERS, lastWhere,
                lastReason);
        unreported = 0;
        lastReportMs = nowMs;
    }
}
