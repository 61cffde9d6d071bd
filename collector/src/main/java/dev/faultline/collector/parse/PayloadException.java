package dev.faultline.collector.parse;

/** A payload that does not match its event's print format. Cheap: no stack trace. */
public final class PayloadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PayloadException(String message) {
        super(message, null, false, false);
    }
}
