package dev.faultline.collector;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.LineParser;
import dev.faultline.collector.parse.ParsedLine;
import dev.faultline.collector.parse.PayloadException;
import dev.faultline.collector.parse.PayloadParsers;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.resolve.VmResolver;
import dev.faultline.events.LossReason;

/**
 * parse → resolve for text traces: every line is parsed, its payload decoded, and the result
 * resolved to a VM and handed to the sink. A bad line is counted with its reason and skipped;
 * an unsupported event is counted by name; nothing stops the pipeline.
 */
public final class TracePipeline {
    private final LineParser lines = new LineParser();
    private final PayloadParsers payloads = new PayloadParsers();
    private final CollectorStats stats;
    private final VmResolver resolver;
    private long lastTsNs;

    public TracePipeline(HostContext host, EventSink sink, CollectorStats stats) {
        this.stats = stats;
        this.resolver = new VmResolver(host, sink, stats);
    }

    /** One line of trace text, without its line terminator. (Synchronized: loss reports come from other threads.) */
    public synchronized void accept(String text) {
        stats.line();
        ParsedLine parsed = lines.parse(text);
        if (parsed instanceof TraceLine line) {
            lastTsNs = line.tsNs();
            onTraceLine(line, text);
        } else if (parsed instanceof ParsedLine.Annotation a) {
            stats.other("annotation (#>)");
            resolver.onAnnotation(a);
        } else if (parsed instanceof ParsedLine.Loss loss) {
            resolver.onLoss(loss, lastTsNs, LossReason.LOST_EVENTS);
        } else if (parsed instanceof ParsedLine.Header) {
            stats.other("header or blank");
        } else if (parsed instanceof ParsedLine.Malformed bad) {
            stats.skip("malformed: " + bad.reason(), text);
        }
    }

    private void onTraceLine(TraceLine line, String text) {
        String event = line.event();
        Object decoded;
        try {
            switch (line.kind()) {
                case EVENT -> {
                    decoded = payloads.parse(event, line.payload());
                    if (decoded == null) {
                        stats.unsupported(event);
                        return;
                    }
                }
                case SYSCALL_ENTER, SYSCALL_EXIT -> {
                    if (!PayloadParsers.SYSCALLS.contains(event)) {
                        stats.unsupported(event);
                        return;
                    }
                    decoded = line.kind() == TraceLine.Kind.SYSCALL_ENTER
                            ? PayloadParsers.syscallEnter(event, line.payload())
                            : (Decoded) PayloadParsers.syscallExit(event, line.payload());
                }
                default -> throw new IllegalStateException();
            }
        } catch (PayloadException e) {
            stats.skip("bad-payload: " + event, text + "   (" + e.getMessage() + ")");
            return;
        }
        resolver.onLine(line, decoded);
    }

    /** Events the ring buffer lost (overrun or dropped), from its own counters: a TraceLoss event. */
    public synchronized void loss(int cpu, long count, LossReason reason) {
        resolver.onLoss(new ParsedLine.Loss(cpu, count), lastTsNs, reason);
    }

    /** End of input: resolve what is still held, then flush the sink's buffers. */
    public synchronized void finish() {
        resolver.finish();
    }

    public CollectorStats stats() {
        return stats;
    }
}
