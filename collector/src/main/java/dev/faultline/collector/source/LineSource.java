package dev.faultline.collector.source;

import java.io.IOException;
import java.util.function.Consumer;

/** Trace text, line by line: a replayed file, stdin, or the simulator. */
public interface LineSource {

    void run(Consumer<String> lines) throws IOException;
}
