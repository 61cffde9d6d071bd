package dev.faultline.analyser.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that cannot be decoded goes to the dead-letter topic (KIP-1034: Kafka's handler builds it, with
 * the reason in its headers) and the analyser carries on. The log says so once per {@link #REPORT_MS} with
 * a count and the latest reason: a flood of poison (PoisonIT sends 900 000 bad records) must not write a
 * warning with a stack trace per record, which Kafka's handler does (off in logback.xml). Kafka Streams
 * counts them too: {@code kafka_stream_task_dropped_records_total} on /metrics.
 */
public final class DeadLetterHandler extends LogAndContinueExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    static final long REPORT_MS = 10_000;

    private long unreported;
    private long lastReportMs = -REPORT_MS;

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
        if (nowMs - lastReportMs < REPORT_MS) {
            return false;
        }
        LOG.warn("{} record(s) undecodable, sent to {} (the latest at {}: {})", unreported, Topics.DEAD_LETTERS, where, reason);
        unreported = 0;
        lastReportMs = nowMs;
        return true;
    }
}
