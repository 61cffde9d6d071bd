package dev.faultline.collector.resolve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Keeps a host's sequence numbers going across collector restarts, so the analyser can tell a gap
 * from a restart. A block of numbers is reserved on disk before it is handed out: after a crash the
 * next run starts past the reserved block, leaving a gap (never a repeat).
 */
public final class SequenceStore implements AutoCloseable {
    static final long BLOCK = 1024;

    private final Path file;
    private long next;
    private long reservedUpTo;

    private SequenceStore(Path file, long next) {
        this.file = file;
        this.next = next;
        this.reservedUpTo = next;
    }

    /** Continues after what {@code file} reserved last, or starts at 1. */
    public static SequenceStore open(Path file) throws IOException {
        long start = 1;
        if (Files.exists(file)) {
            String text = Files.readString(file).strip();
            try {
                start = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": not a sequence number: '" + text + "'", e);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return new SequenceStore(file, start);
    }

    public synchronized long next() {
        if (next >= reservedUpTo) {
            reservedUpTo = next + BLOCK;
            write(reservedUpTo);
        }
        return next++;
    }

    /** On a clean stop: the next run continues exactly here. */
    public synchronized void close() {
        write(next);
    }

    private void write(long value) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(value));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep sequence numbers in " + file, e);
        }
    }
}
