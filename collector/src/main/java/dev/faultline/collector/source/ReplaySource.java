package dev.faultline.collector.source;

import java.io.IOException;
import java.io.InputStream;
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

    /** The same lines as text: split by the same reader, so both forms agree on where a line ends. */
    @Override
    public void run(Consumer<String> sink) throws IOException {
        runBytes(ByteLines.decoding(sink));
    }

    private InputStream open() throws IOException {
        if (name.equals("-")) {
            return System.in;
        }
        Path p = Path.of(name);
        if (Files.isDirectory(p)) {
            throw new IOException(name + ": is a directory, not a trace file");
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(name, null, "no such trace file");
        }
        return Files.newInputStream(p); // a regular file, or a FIFO or device read as a stream, as stdin is
    }
}
