package dev.faultline.collector.source.tracedat;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** A trace.dat v7's compression: none, zstd (trace-cmd's default) or zlib. */
enum Codec {
    NONE, ZSTD, ZLIB;

    static Codec named(String name, Path file) throws IOException {
        return switch (name) {
            case "none", "" -> NONE;
            case "zstd" -> ZSTD;
            case "zlib" -> ZLIB;
            default -> throw new IOException(file + ": compressed with '" + name + "' (none, zstd and zlib are read)");
        };
    }

    /** {@code in} decompressed into exactly {@code plain} bytes, the size the file says. */
    /** The largest block a trace.dat holds decompressed (a chunk of pages, kallsyms): more is a hostile size. */
    static final int MAX_BLOCK = 256 << 20;

    byte[] decompress(byte[] in, int plain, Path file) throws IOException {
        if (plain < 0 || plain > MAX_BLOCK) {
            throw new IOException(file + ": a compressed block of " + Integer.toUnsignedString(plain) + " bytes");
        }
        byte[] out = new byte[plain];
        int n;
        try {
            n = switch (this) {
                case NONE -> {
                    System.arraycopy(in, 0, out, 0, Math.min(in.length, plain));
                    yield in.length;
                }
                case ZSTD -> new ZstdDecompressor().decompress(in, 0, in.length, out, 0, plain);
                case ZLIB -> inflate(in, out);
            };
        } catch (RuntimeException | DataFormatException e) {
            throw new IOException(file + ": a " + this + " block does not decompress: " + e.getMessage(), e);
        }
        if (n != plain) {
            throw new IOException(file + ": a " + this + " block gave " + n + " bytes, the file says " + plain);
        }
        return out;
    }

    private static int inflate(byte[] in, byte[] out) throws DataFormatException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            return n;
        } finally {
            inf.end();
        }
    }
}
