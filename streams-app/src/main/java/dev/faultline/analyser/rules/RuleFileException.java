package dev.faultline.analyser.rules;

/** A rule file that cannot be used; the message names the file, the rule and what is wrong. */
public final class RuleFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleFileException(String message) {
        super(message);
    }

    public RuleFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
