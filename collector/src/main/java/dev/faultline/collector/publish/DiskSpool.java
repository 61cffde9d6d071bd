package dev.faultline.collector.publish;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A bounded, ordered spool of encoded events on local disk, for when Kafka is unreachable: appended
 * to in segment files, read back oldest first. A segment is deleted once all its records were
 * delivered. Past {@code maxBytes} appends are refused (the caller counts them as lost).
 */
public final class DiskSpool {
    private static final long SEGMENT_BYTES = 16L << 20;

    private final Path dir;
    private final long maxBytes;
    private long bytes;
    private OutputStream writer;
    private Path writing;
    private long writingBytes;

    public DiskSpool(Path dir, long maxBytes) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
        for (Path p : segments()) {
            bytes += Files.size(p);
        }
    }

    /** Appends one record; false (nothing written) when the spool is full. */
    public synchronized boolean append(byte[] record) throws IOException {
        long need = 4L + record.length;
        if (bytes + need > maxBytes) {
            return false;
        }
        if (writer == null || writingBytes + need > SEGMENT_BYTES) {
            rollSegment();
        }
        writer.write(new byte[] {(byte) (record.length >>> 24), (byte) (record.length >>> 16),
            (byte) (record.length >>> 8), (byte) record.length});
        writer.write(record);
        writer.flush();
        writingBytes += need;
        bytes += need;
        return true;
    }

    private void rollSegment() throws IOException {
        if (writer != null) {
            writer.close();
        }
        writing = dir.resolve(String.format("spool-%020d.bin", System.nanoTime()));
        writer = Files.newOutputStream(writing, StandardOpenOption.CREATE_NEW, StandardOpenOption.APPEND);
        writingBytes = 0;
    }

    /** The oldest closed segment's records, or those of the open one (closing it), or none. */
    public synchronized Segment oldest() throws IOException {
        List<Path> all = segments();
        if (all.isEmpty()) {
            return null;
        }
        Path first = all.get(0);
        if (first.equals(writing)) {
            writer.close();
            writer = null;
            writing = null;
        }
        return new Segment(first, read(first));
    }

    /** Forgets a delivered segment. */
    public synchronized void delete(Segment s) throws IOException {
        bytes -= Files.size(s.path());
        Files.delete(s.path());
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized boolean isEmpty() {
        return bytes == 0;
    }

    /** One segment's records, in order. */
    public record Segment(Path path, List<byte[]> records) {
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith("spool-")).sorted().toList());
        }
    }

    private static List<byte[]> read(Path p) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(p); DataInputStream d = new DataInputStream(in)) {
            while (true) {
                int len;
                try {
                    len = d.readInt();
                } catch (EOFException e) {
                    return out;
                }
                byte[] r = new byte[len];
                try {
                    d.readFully(r);
                } catch (EOFException e) {
                    return out; // a record cut short by a crash: the rest of the segment is lost
                }
                out.add(r);
            }
        }
    }
}
