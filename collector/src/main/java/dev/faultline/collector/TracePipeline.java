package dev.faultline.collector;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.text.Ascii;
import dev.faultline.collector.parse.LineParser;
import dev.faultline.collector.parse.ParsedLine;
import dev.faultline.collector.parse.Payload;
import dev.faultline.collector.parse.PayloadException;
import dev.faultline.collector.parse.PayloadParsers;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.resolve.ResolvedEvents;
import dev.faultline.collector.resolve.VmResolver;
import dev.faultline.collector.source.ByteLineReader;
import dev.faultline.collector.source.LineSource;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.collector.stats.Counter;
import dev.faultline.events.Event;
import dev.faultline.events.EventHeader;
import dev.faultline.events.LossReason;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * parse → resolve → publish for every source: every line (or binary record) is parsed, its payload decoded, the result resolved to a
 * VM, and the events the resolver made are numbered, counted and handed to the sink. A bad line is counted with
 * its reason and skipped; an unsupported event is counted by name; no line stops the pipeline. What the sink
 * throws does (Kafka refused the credentials, stdout closed): only the pipeline calls the sink, outside the
 * per-line error handling, so it reaches the caller as the sink threw it.
 */
public final class TracePipeline implements LineSource.ByteLines {
    /** Bytes of a malformed line kept as its sample: the summary prints 120 characters of it. */
    private static final int SAMPLE_BYTES = 256;
    private final LineParser lines = new LineParser();
    private final PayloadParsers payloads = new PayloadParsers();
    private final CollectorStats stats;
    private final HostContext host;
    private final EventSink sink;
    private final ResolvedEvents resolved = new ResolvedEvents();
    private final VmResolver resolver;
    /** The count of each body type, found by class identity: no name lookup or string hash per event. */
    private final Map<Class<?>, Counter> eventCounts = new IdentityHashMap<>();
    private long lastTsNs;

    public TracePipeline(HostContext host, EventSink sink, CollectorStats stats) {
        this.stats = stats;
        this.host = host;
        this.sink = sink;
        this.resolver = new VmResolver(host, resolved, stats);
    }

    /** One line of trace text, without its line terminator. */
    public void accept(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        line(b, 0, b.length);
    }

    /**
     * One line as UTF-8 bytes {@code b[from, to)}, without its terminator, read before this returns (a
     * held syscall copies its line). Synchronized: loss reports come from other threads.
     */
    @Override
    public synchronized void line(byte[] b, int from, int to) {
        accept(b, from, to);
    }

    /** Lines of one array under one lock (an uncontended lock is some 26 ns on the build machine). */
    @Override
    public synchronized void lines(byte[] b, int[] starts, int[] ends, int n) {
        for (int i = 0; i < n; i++) {
            accept(b, starts[i], ends[i]);
        }
    }

    /**
     * A binary record (the live raw reader, trace.dat): read from its fields where the parser has field readers for
     * its event, else printed as trace_pipe's line and parsed as text.
     */
    @Override
    public synchronized void record(RingRecord r) {
        if (!payloads.readsFields(r) || r.tsNs() < 0) { // a time before the epoch: what the text path says of it
            byte[] b = r.line().getBytes(StandardCharsets.UTF_8);
            accept(b, 0, b.length);
            return;
        }
        stats.line();
        TraceLine line = TraceLine.of(r);
        lastTsNs = line.tsNs();
        onTraceLine(line);
        handOn();
    }

    /** Events a binary source lost before what comes next: a TraceLoss (counted as the line trace_pipe prints). */
    @Override
    public synchronized void lost(int cpu, long count) {
        stats.line();
        resolver.onLoss(new ParsedLine.Loss(cpu, count), lastTsNs, LossReason.LOST_EVENTS);
        handOn();
    }

    /** A line too long to be a trace line: counted and skipped, the start of it kept as the sample. */
    @Override
    public synchronized void overlong(byte[] b, int from, int to) {
        stats.line();
        stats.skipLine("line-too-long (over " + (ByteLineReader.MAX_LINE >> 20) + " MiB)", Ascii.string(b, from, to));
    }

    private void accept(byte[] b, int from, int to) {
        acceptLine(b, from, to);
        handOn();
    }

    /** The events the resolver made, numbered in the order made, to the sink. */
    private void handOn() {
        int n = resolved.size();
        if (n == 0) {
            return; // most lines make no event of their own (syscall enters) or exactly one
        }
        resolved.clear(); // first: a sink that throws is not handed the same events again
        for (int i = 0; i < n; i++) {
            EventHeader h = resolved.header(i);
            Object body = resolved.body(i);
            h.setSeq(host.nextSeq());
            Counter count = eventCounts.get(body.getClass());
            if (count == null) {
                count = stats.eventCounter(body.getClass().getSimpleName());
                eventCounts.put(body.getClass(), count);
            }
            count.increment();
            sink.accept(new Event(h, body));
        }
    }

    private void acceptLine(byte[] b, int from, int to) {
        stats.line();
        ParsedLine parsed = lines.parse(b, from, to);
        if (parsed instanceof TraceLine line) {
            lastTsNs = line.tsNs();
            onTraceLine(line);
        } else if (parsed instanceof ParsedLine.Annotation a) {
            stats.other("annotation (#>)");
            resolver.onAnnotation(a);
        } else if (parsed instanceof ParsedLine.Loss loss) {
            resolver.onLoss(loss, lastTsNs, LossReason.LOST_EVENTS);
        } else if (parsed instanceof ParsedLine.Header) {
            stats.other("header or blank");
        } else if (parsed instanceof ParsedLine.Malformed bad) {
            stats.skipLine("malformed: " + bad.reason(), Ascii.string(b, from, Math.min(to, from + SAMPLE_BYTES)));
        }
    }

    private void onTraceLine(TraceLine line) {
        String event = line.event();
        Payload decoded;
        try {
            decoded = payloads.decode(line);
            if (decoded == null) {
                stats.unsupported(event);
                return;
            }
        } catch (PayloadException e) {
            stats.skipLine("bad-payload: " + event, e.getMessage() + ": " + line.text());
            return;
        }
        try {
            resolver.onLine(line, decoded);
        } catch (PayloadException e) {
            // a helper or syscall line whose fields the resolver reads only when it pairs or applies it
            stats.skipLine("bad-payload: " + event, e.getMessage() + ": " + line.text());
        } catch (RuntimeException e) {
            // a line the resolver cannot use, whatever the reason: counted with its text, and the next line is read
            stats.skipLine("unresolvable: " + event, e + ": " + line.text());
        }
    }

    /** Events the ring buffer lost (overrun or dropped), from its own counters: a TraceLoss event. */
    public synchronized void loss(int cpu, long count, LossReason reason) {
        resolver.onLoss(new ParsedLine.Loss(cpu, count), lastTsNs, reason);
        handOn();
    }

    /**
     * End of input: resolve what is still held, hand it on, then flush the sink's buffers. The flush is outside the
     * lock: a spooling sink's drain thread reports overflow through {@link #loss}, which takes the lock.
     */
    public void finish() {
        synchronized (this) {
            resolver.finish();
            handOn();
        }
        sink.flush();
    }

    public CollectorStats stats() {
        return stats;
    }
}
