package dev.faultline.collector.parse;

/** What one line of a trace is. Only {@link TraceLine} carries an event. */
public sealed interface ParsedLine
        permits TraceLine, ParsedLine.Loss, ParsedLine.Annotation, ParsedLine.Header, ParsedLine.Malformed {

    /** {@code CPU:N [LOST M EVENTS]}: the kernel ring buffer dropped events. */
    record Loss(int cpu, long count) implements ParsedLine {
    }

    /** A {@code #>} comment: an annotation written by the capture tool (e.g. a gmem fd's inode). */
    record Annotation(String text) implements ParsedLine {
    }

    /** A {@code #} header, a blank line or a trace-cmd banner: expected, carries nothing. */
    record Header() implements ParsedLine {
    }

    /** A line that is not in the grammar; {@code reason} names what is wrong. */
    record Malformed(String reason) implements ParsedLine {
    }

    Header HEADER = new Header();
}
