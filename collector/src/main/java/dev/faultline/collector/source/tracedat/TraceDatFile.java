package dev.faultline.collector.source.tracedat;

import dev.faultline.collector.source.ring.EventFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trace-cmd {@code trace.dat} holds, versions 6 and 7 (trace-cmd's Documentation/trace-cmd/
 * trace-cmd.dat.v6.5.txt and .v7.5.txt; docs/trace-formats.md): the event format files, the saved command
 * lines, and for each buffer (the top one and each instance) where each CPU's ring-buffer pages are. Version 7
 * keeps its metadata in sections that may be compressed (zstd or zlib) and the CPU data in compressed chunks.
 * The pages are read later, one at a time ({@link CpuData#pages}); nothing else is held.
 */
public final class TraceDatFile implements AutoCloseable {
    static final byte[] MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

    private static final int OPTION_DONE = 0;
    private static final int OPTION_BUFFER = 3;
    private static final int OPTION_OFFSET = 7;
    private static final int OPTION_TSC2NSEC = 14;
    private static final int OPTION_HEADER_INFO = 16;
    private static final int OPTION_FTRACE_EVENTS = 17;
    private static final int OPTION_EVENT_FORMATS = 18;
    private static final int OPTION_CMDLINES = 21;
    private static final int SECTION_COMPRESSED = 1;

    private final Path path;
    private final FileChannel ch;
    final int version;
    private final ByteOrder order;
    final int pageSize;
    final Codec codec;
    final List<EventFormat> formats = new ArrayList<>();
    final Map<Integer, String> cmdlines = new HashMap<>();
    final List<Buffer> buffers = new ArrayList<>();
    /** Format files that did not parse: their events' records are not read. */
    final List<String> unreadFormats = new ArrayList<>();
    /** TSC2NSEC: ns = (ts * mult) >> shift, as trace-cmd computes it; mult 0 when the clock is already in ns. */
    long tscMult;
    int tscShift;
    /** OFFSET: added to every time stamp. */
    long tsOffset;

    /** One buffer (the top one has name ""): its CPUs' data. */
    record Buffer(String name, int pageSize, List<CpuData> cpus) {
    }

    /** A CPU's pages: at {@code offset}, {@code size} bytes in the file, compressed in chunks when {@code compressed}. */
    record CpuData(int cpu, long offset, long size, boolean compressed) {
    }

    private TraceDatFile(Path path, FileChannel ch) throws IOException {
        this.path = path;
        this.ch = ch;
        Reader r = new Reader(ByteBuffer.wrap(read(0, (int) Math.min(ch.size(), 64))));
        if (!r.startsWith(MAGIC)) {
            throw bad("not a trace.dat (no 'tracing' magic)");
        }
        r.skip(MAGIC.length);
        String v = r.string();
        try {
            version = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad("version '" + v + "' is not a number");
        }
        if (version != 6 && version != 7) {
            throw bad("trace.dat version " + version + " (versions 6 and 7 are read)");
        }
        int endian = r.u8();
        if (endian != 0) {
            throw bad("a big-endian trace.dat (only little-endian hosts' files are read)");
        }
        order = ByteOrder.LITTLE_ENDIAN;
        r.u8(); // user space long size: not needed (the kernel's is in header_page)
        pageSize = checkedPageSize(r.i32());
        if (version == 7) {
            String name = r.string();
            r.string(); // the compressor's version
            codec = Codec.named(name, path);
            readOptions(r.i64());
        } else {
            codec = Codec.NONE;
            readVersion6(r.position());
        }
    }

    /** Opens and reads the metadata; an IOException that names the file when it is not one it can read. */
    public static TraceDatFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new TraceDatFile(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Whether the bytes start with trace.dat's magic. */
    public static boolean isTraceDat(byte[] head, int n) {
        if (n < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    // ---- version 6: the metadata in a row, then options and the top buffer's CPU offsets

    private void readVersion6(long at) throws IOException {
        Stream s = new Stream(at);
        s.expect("header_page");
        checkHeaderPage(s.bytes(s.i64()));
        s.expect("header_event");
        s.bytes(s.i64());
        readFtraceFormats(s);
        readEventFormats(s);
        s.skip(Integer.toUnsignedLong(s.i32())); // kallsyms
        s.skip(Integer.toUnsignedLong(s.i32())); // printk formats
        readCmdlines(s.bytes(s.i64()));
        int cpus = s.i32();
        readV6Buffer(s, "", cpus, true);
    }

    /** "options  \0" (then options) and "flyrecord\0" with each CPU's offset and size; at a buffer option's offset too. */
    private void readV6Buffer(Stream s, String name, int cpus, boolean top) throws IOException {
        String kind = s.fixed(10);
        if (kind.startsWith("options")) {
            List<long[]> instances = new ArrayList<>();
            List<String> names = new ArrayList<>();
            while (true) {
                int id = s.u16();
                if (id == OPTION_DONE) {
                    break;
                }
                Reader o = new Reader(ByteBuffer.wrap(s.bytes(s.i32())).order(order));
                if (id == OPTION_BUFFER) {
                    if (top) { // an instance's own options name no further instances
                        instances.add(new long[] {o.i64()});
                        names.add(o.string());
                    }
                } else {
                    option(id, o);
                }
            }
            kind = s.fixed(10);
            for (int i = 0; i < instances.size(); i++) {
                readV6Buffer(new Stream(instances.get(i)[0]), names.get(i), cpus, false);
            }
        }
        if (kind.startsWith("latency")) {
            throw bad("a latency trace.dat (the text of a latency tracer): only flyrecord (event) data is read");
        }
        if (!kind.startsWith("flyrecord")) {
            throw bad("expected 'flyrecord' at offset " + (s.pos - 10) + ", found '" + kind.strip() + "'");
        }
        List<CpuData> data = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            data.add(new CpuData(cpu, s.i64(), s.i64(), false));
        }
        buffers.add(0, new Buffer(name, pageSize, data)); // the top buffer first
    }

    // ---- version 7: option sections pointing at the other sections

    private void readOptions(long offset) throws IOException {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        while (offset != 0) {
            if (!seen.add(offset)) {
                throw bad("the options sections loop back to offset " + offset);
            }
            Reader r = section(offset, 0);
            long next = 0;
            while (r.remaining() >= 6) {
                int id = r.u16();
                int size = r.i32();
                Reader o = r.slice(size);
                if (id == OPTION_DONE) {
                    next = o.i64();
                    break;
                }
                option(id, o);
            }
            offset = next;
        }
    }

    private void option(int id, Reader o) throws IOException {
        switch (id) {
            case OPTION_BUFFER -> {
                if (version == 7) {
                    buffers.add(v7Buffer(o));
                }
            }
            case OPTION_HEADER_INFO -> {
                Reader h = section(o.i64(), OPTION_HEADER_INFO);
                h.expect("header_page");
                checkHeaderPage(h.bytes((int) h.i64()));
            }
            case OPTION_FTRACE_EVENTS -> readFtraceFormats(section(o.i64(), OPTION_FTRACE_EVENTS).stream());
            case OPTION_EVENT_FORMATS -> readEventFormats(section(o.i64(), OPTION_EVENT_FORMATS).stream());
            case OPTION_CMDLINES -> {
                Reader c = section(o.i64(), OPTION_CMDLINES);
                readCmdlines(c.bytes((int) c.i64()));
            }
            case OPTION_TSC2NSEC -> {
                if (o.remaining() >= 16) { // shorter: ignored, as trace-cmd does
                    tscMult = Integer.toUnsignedLong(o.i32());
                    tscShift = o.i32() & 63;
                }
            }
            case OPTION_OFFSET -> tsOffset += cNumber(o.string().strip());
            default -> {
                // dates, CPU stats, uname, kallsyms, BTF...: nothing an event needs
            }
        }
    }

    /** A ring-buffer page size: a power of two from 4 KiB to 1 MiB (the kernel's sub-buffer sizes). */
    private int checkedPageSize(int size) throws IOException {
        if (size < 4096 || size > 1 << 20 || Integer.bitCount(size) != 1) {
            throw bad("a page size of " + size + " bytes (4 KiB to 1 MiB, a power of two)");
        }
        return size;
    }

    /** BUFFER: the flyrecord section's offset, name, clock, page size and each CPU's data. */
    private Buffer v7Buffer(Reader o) throws IOException {
        long sectionOffset = o.i64();
        String name = o.string();
        o.string(); // the clock
        int page = checkedPageSize(o.i32());
        int cpus = o.i32();
        boolean compressed = (header(sectionOffset).getShort(2) & SECTION_COMPRESSED) != 0;
        List<CpuData> data = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            data.add(new CpuData(o.i32(), o.i64(), o.i64(), compressed));
        }
        return new Buffer(name, page, data);
    }

    /** A section's content from its header at {@code offset}, decompressed when it is compressed. */
    private Reader section(long offset, int expectedId) throws IOException {
        ByteBuffer h = header(offset);
        int id = Short.toUnsignedInt(h.getShort(0));
        if (id != expectedId) {
            throw bad("expected section " + expectedId + " at offset " + offset + ", found " + id);
        }
        long size = h.getLong(8);
        boolean compressed = (h.getShort(2) & SECTION_COMPRESSED) != 0;
        if (!compressed) {
            return new Reader(ByteBuffer.wrap(read(offset + 16, checkedSize(size, offset))).order(order));
        }
        ByteBuffer sizes = ByteBuffer.wrap(read(offset + 16, 8)).order(order);
        int packed = sizes.getInt(0);
        int plain = sizes.getInt(4);
        byte[] in = read(offset + 24, checkedSize(Integer.toUnsignedLong(packed), offset));
        return new Reader(ByteBuffer.wrap(codec.decompress(in, plain, path)).order(order));
    }

    private ByteBuffer header(long offset) throws IOException {
        return ByteBuffer.wrap(read(offset, 16)).order(order);
    }

    private int checkedSize(long size, long offset) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE - 64 || offset + size > ch.size()) {
            throw bad("section at offset " + offset + " claims " + size + " bytes");
        }
        return (int) size;
    }

    // ---- shared parts

    /** The ring-buffer page header: a 64-bit commit is what the page reader expects (64-bit kernels). */
    private void checkHeaderPage(byte[] text) throws IOException {
        String s = new String(text, StandardCharsets.UTF_8);
        int commit = s.indexOf("commit;");
        if (commit >= 0 && s.indexOf("size:8;", commit) < 0) {
            throw bad("ring-buffer pages of a 32-bit kernel (4-byte commit): not read");
        }
    }

    private void readFtraceFormats(Stream s) throws IOException {
        int n = s.i32();
        for (int i = 0; i < n; i++) {
            s.bytes(s.i64()); // ftrace's own events (function, print...): not KVM's
        }
    }

    private void readEventFormats(Stream s) throws IOException {
        int systems = s.i32();
        for (int i = 0; i < systems; i++) {
            String system = s.string();
            int n = s.i32();
            for (int k = 0; k < n; k++) {
                byte[] text = s.bytes(s.i64());
                try {
                    formats.add(EventFormat.parse(system, path + " (" + system + " format " + k + ")",
                            new String(text, StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException e) {
                    unreadFormats.add(e.getMessage()); // that event's records are skipped, as trace-cmd does
                }
            }
        }
    }

    private void readCmdlines(byte[] text) {
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                try {
                    cmdlines.put(Integer.parseInt(line.substring(0, sp)), line.substring(sp + 1));
                } catch (NumberFormatException e) {
                    // not a "pid comm" line
                }
            }
        }
    }

    /** A number as C's strtoll(s, NULL, 0) reads it: decimal, 0x hex or 0 octal; 0 when it is none (as strtoll). */
    private static long cNumber(String s) {
        try {
            boolean neg = s.startsWith("-");
            String d = neg || s.startsWith("+") ? s.substring(1) : s;
            long v = d.startsWith("0x") || d.startsWith("0X") ? Long.parseUnsignedLong(d.substring(2), 16)
                    : d.length() > 1 && d.startsWith("0") ? Long.parseLong(d.substring(1), 8) : Long.parseLong(d);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A time stamp of the file's clock in ns (TSC2NSEC and OFFSET applied). */
    long nanos(long ts) {
        long t = ts;
        if (tscMult != 0) {
            long high = Math.multiplyHigh(t, tscMult) + (t < 0 ? tscMult : 0); // unsigned 64 x 32 bits
            long low = t * tscMult;
            t = tscShift == 0 ? low : high << (64 - tscShift) | low >>> tscShift;
        }
        return t + tsOffset;
    }

    byte[] read(long offset, int length) throws IOException {
        byte[] b = new byte[length];
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, offset + buf.position());
            if (n < 0) {
                throw bad("ends at " + (offset + buf.position()) + ", " + buf.remaining() + " bytes short (truncated?)");
            }
        }
        return b;
    }

    long size() throws IOException {
        return ch.size();
    }

    Path path() {
        return path;
    }

    ByteOrder order() {
        return order;
    }

    IOException bad(String what) {
        return new IOException(path + ": " + what);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    /** Sequential reading of the file from an offset (version 6's metadata, and parts of decompressed sections). */
    private final class Stream {
        long pos;
        private final Reader mem;

        Stream(long pos) {
            this.pos = pos;
            this.mem = null;
        }

        Stream(Reader mem) {
            this.mem = mem;
        }

        byte[] bytes(long n) throws IOException {
            if (n < 0 || n > Integer.MAX_VALUE - 64 || (mem == null && pos + n > ch.size())) {
                throw bad("a field of " + n + " bytes at offset " + pos + " (the file has " + ch.size() + ")");
            }
            if (mem != null) {
                return mem.bytes((int) n);
            }
            byte[] b = read(pos, (int) n);
            pos += n;
            return b;
        }

        void skip(long n) throws IOException {
            if (n < 0 || pos + n > ch.size()) {
                throw bad("a field of " + n + " bytes at offset " + pos + " (the file has " + ch.size() + ")");
            }
            pos += n;
        }

        int u16() throws IOException {
            return Short.toUnsignedInt(ByteBuffer.wrap(bytes(2)).order(order).getShort());
        }

        int i32() throws IOException {
            return ByteBuffer.wrap(bytes(4)).order(order).getInt();
        }

        long i64() throws IOException {
            return ByteBuffer.wrap(bytes(8)).order(order).getLong();
        }

        String fixed(int n) throws IOException {
            return new String(bytes(n), StandardCharsets.US_ASCII);
        }

        String string() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (byte c = bytes(1)[0]; c != 0; c = bytes(1)[0]) {
                sb.append((char) (c & 0xff));
            }
            return sb.toString();
        }

        void expect(String literal) throws IOException {
            String got = string();
            if (!got.equals(literal)) {
                throw bad("expected '" + literal + "', found '" + got + "'");
            }
        }
    }

    /** Reading from bytes in memory (a header, an option, a decompressed section). */
    final class Reader {
        private final ByteBuffer b;

        Reader(ByteBuffer b) {
            this.b = b.order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean startsWith(byte[] prefix) {
            if (b.remaining() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (b.get(b.position() + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        void skip(int n) {
            b.position(b.position() + n);
        }

        int position() {
            return b.position();
        }

        int remaining() {
            return b.remaining();
        }

        int u8() {
            return b.get() & 0xff;
        }

        int u16() {
            return Short.toUnsignedInt(b.getShort());
        }

        int i32() {
            return b.getInt();
        }

        long i64() {
            return b.getLong();
        }

        byte[] bytes(int n) throws IOException {
            if (n < 0 || n > b.remaining()) {
                throw bad("a field of " + n + " bytes where " + b.remaining() + " are left");
            }
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        Reader slice(int n) throws IOException {
            return new Reader(ByteBuffer.wrap(bytes(n)));
        }

        String string() {
            int start = b.position();
            int end = start;
            while (end < b.limit() && b.get(end) != 0) {
                end++;
            }
            byte[] out = new byte[end - start];
            b.get(start, out);
            b.position(Math.min(b.limit(), end + 1)); // past the NUL
            return new String(out, StandardCharsets.UTF_8);
        }

        void expect(String literal) throws IOException {
            String got = string();
            if (!got.equals(literal)) {
                throw bad("expected '" + literal + "', found '" + got + "'");
            }
        }

        Stream stream() {
            return new Stream(this);
        }
    }
}
