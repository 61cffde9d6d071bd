package dev.faultline.collector.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads a trace text file (trace, trace_pipe or trace-cmd report output) or stdin ("-"), line by line. */
public final class ReplaySource implements LineSource {
    private final String name;

    public ReplaySource(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Feeds every line to {@code sink}; an unreadable file is an IOException that names it. */
    @Override
    public void runBytes(ByteLines sink) throws IOException {
        try (InputStream in = open()) {
            ByteLineReader.read(in, sink);
        }
    }

    @Override
    public void run(Consumer<String> sink) throws IOException {
        try (InputStream in = open();
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            for (String line; (line = r.readLine()) != null; ) {
                sink.accept(line);
            }
        }
    }

    private InputStream open() throws IOException {
        if (name.equals("-")) {
            return System.in;
        }
        Path p = Path.of(name);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(name, null, "no such trace file");
        }
        return Files.newInputStream(p);
    }
}
