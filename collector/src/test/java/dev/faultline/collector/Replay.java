package dev.faultline.collector;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.events.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: replays text through the real pipeline into a list. */
public final class Replay {
    public final List<Event> events = new ArrayList<>();
    public final CollectorStats stats = new CollectorStats();
    private final TracePipeline pipeline;

    public Replay() {
        pipeline = new TracePipeline(HostContext.replay("lab"), new EventSink() {
            @Override
            public void accept(Event e) {
                events.add(e);
            }
        }, stats);
    }

    /** The pipeline, to hand items to directly; call {@link #finish()} after the last. */
    public TracePipeline pipeline() {
        return pipeline;
    }

    public Replay finish() {
        pipeline.finish();
        return this;
    }

    /**
     * Each line is handed over in one array that is scrambled once the call returns, as a reader that
     * reuses its buffer would: whatever the pipeline keeps past a line must be its own copy.
     */
    public static Replay lines(String... lines) {
        Replay r = new Replay();
        byte[] reused = new byte[0];
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            if (b.length > reused.length) {
                reused = new byte[2 * b.length];
            }
            System.arraycopy(b, 0, reused, 0, b.length);
            r.pipeline.line(reused, 0, b.length);
            Arrays.fill(reused, (byte) '?');
        }
        r.pipeline.finish();
        return r;
    }

    /** The file read as {@code collect --source replay:} reads it. */
    public static Replay file(Path p) throws IOException {
        Replay r = new Replay();
        new ReplaySource(p.toString()).runBytes(r.pipeline);
        r.pipeline.finish();
        return r;
    }

    public static Path shared() {
        return Path.of(System.getProperty("shared.dir", "../../shared"));
    }

    public List<Event> ofType(Class<?> body) {
        return events.stream().filter(e -> body.isInstance(e.getBody())).toList();
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> bodies(Class<T> body) {
        return events.stream().map(Event::getBody).filter(body::isInstance).map(b -> (T) b).toList();
    }
}
