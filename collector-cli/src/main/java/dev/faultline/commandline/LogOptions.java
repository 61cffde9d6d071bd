package dev.faultline.commandline;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** How the long-running commands log: text for people, JSON lines for log collectors. */
public final class LogOptions {
    enum Format { text, json }

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "FORMAT",
            description = "Log to stderr as text or as JSON, one object per line (Logback's JsonEncoder: timestamp, "
                    + "level, loggerName, formattedMessage, mdc, throwable) (default: ${DEFAULT-VALUE}).")
    void format(Format format) {
        if (format == Format.json) {
            useJson();
        }
    }

    /** Replaces the root logger's appenders by one writing JSON lines to stderr. */
    public static void useJson() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(ctx);
        encoder.setWithFormattedMessage(true); // the message as a person reads it, beside the pattern and arguments
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(ctx);
        appender.setName("JSON");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
