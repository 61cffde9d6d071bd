package dev.faultline.collector.source;

import dev.faultline.collector.source.tracedat.TraceDatFile;
import dev.faultline.collector.source.tracedat.TraceDatSource;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads a trace file or stdin ("-"), whichever kind it is, told by its first bytes: text (the kernel's trace or
 * trace_pipe, trace-cmd report's output) line by line, a trace-cmd trace.dat (versions 6 and 7) record by record,
 * and either of them compressed with gzip, zstd or xz.
 */
public final class ReplaySource implements LineSource {
    private static final int PEEK = 16;
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
        try (InputStream raw = open(); InputStream in = decompressed(new BufferedInputStream(raw, 1 << 16))) {
            if (TraceDatFile.isTraceDat(peek(in), PEEK)) {
                readTraceDat(in, sink);
            } else {
                ByteLineReader.read(in, sink);
            }
        }
    }

    /** A trace.dat is read at offsets: a file as it is, stdin or a decompressed stream from a copy. */
    private void readTraceDat(InputStream in, ByteLines sink) throws IOException {
        Path p = name.equals("-") ? null : Path.of(name);
        if (p != null && Files.isRegularFile(p) && TraceDatFile.isTraceDat(head(p), PEEK)) {
            new TraceDatSource(p).runBytes(sink);
            return;
        }
        Path copy = Files.createTempFile("faultline-replay-", ".dat");
        try {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            new TraceDatSource(copy).runBytes(sink);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static byte[] head(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return java.util.Arrays.copyOf(in.readNBytes(PEEK), PEEK);
        }
    }

    /** The stream decompressed when its magic bytes say gzip, zstd or xz; as it is otherwise. */
    private InputStream decompressed(BufferedInputStream in) throws IOException {
        byte[] m = peek(in);
        if (m[0] == 0x1f && (m[1] & 0xff) == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        if (m[0] == 0x28 && (m[1] & 0xff) == 0xb5 && m[2] == 0x2f && (m[3] & 0xff) == 0xfd) {
            return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
        }
        if ((m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return new BufferedInputStream(new XZInputStream(in), 1 << 16);
        }
        return in;
    }

    /** The first bytes, left to be read again (zero-filled past a shorter input). */
    private static byte[] peek(InputStream in) throws IOException {
        in.mark(PEEK);
        byte[] m = in.readNBytes(PEEK);
        in.reset();
        return java.util.Arrays.copyOf(m, PEEK);
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
        // a regular file, or a FIFO or device read as a stream, as stdin is (FileInputStream: the channel's stream
        // seeks to answer available(), which a FIFO refuses)
        return new java.io.FileInputStream(p.toFile());
    }

    /** The host name a replayed file stands for: its name without directories and extension ("stdin" for "-"). */
    public static String hostFor(String file) {
        if (file.equals("-")) {
            return "stdin";
        }
        String name = Path.of(file).getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
