package dev.faultline.collector;

import dev.faultline.collector.publish.EventSink;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.events.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    public static Replay lines(String... lines) {
        Replay r = new Replay();
        for (String l : lines) {
            r.pipeline.accept(l);
        }
        r.pipeline.finish();
        return r;
    }

    public static Replay file(Path p) throws IOException {
        Replay r = new Replay();
        try (var s = Files.lines(p)) {
            s.forEach(r.pipeline::accept);
        }
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
