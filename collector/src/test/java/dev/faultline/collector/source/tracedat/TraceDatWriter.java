package dev.faultline.collector.source.tracedat;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * Writes small trace.dat files by the format's documents (trace-cmd.dat.v6.5 / .v7.5), for what trace-cmd on
 * these machines cannot make: zlib sections, several buffers, pages flagged as following lost events.
 */
final class TraceDatWriter {
    static final int PAGE = 4096;

    /** A record: time stamp (ns) and its bytes (common_type first). */
    record Rec(long ts, byte[] bytes) {
    }

    /** One CPU's pages, each a list of records; {@code lostBefore} per page: -1 none, 0 some, n counted. */
    record Cpu(int cpu, List<List<Rec>> pages, long[] lostBefore) {
    }

    record Buffer(String name, List<Cpu> cpus) {
    }

    private final Map<String, List<String>> formats = new LinkedHashMap<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private String cmdlines = "";
    private long[] tsc2nsec;
    /** The options section's DONE points back at the section itself (a hostile file). */
    boolean loopOptions;

    TraceDatWriter format(String system, String text) {
        formats.computeIfAbsent(system, k -> new ArrayList<>()).add(text);
        return this;
    }

    TraceDatWriter cmdlines(String text) {
        this.cmdlines = text;
        return this;
    }

    TraceDatWriter buffer(Buffer b) {
        buffers.add(b);
        return this;
    }

    TraceDatWriter tsc2nsec(long mult, long shift, long offset) {
        tsc2nsec = new long[] {mult, shift, offset};
        return this;
    }

    /** A ring-buffer page of these records, little-endian, with its commit and loss flags. */
    static byte[] page(List<Rec> recs, long lostBefore) {
        ByteBuffer b = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        long base = recs.isEmpty() ? 0 : recs.get(0).ts();
        b.putLong(0, base);
        int p = 16;
        long prev = base;
        for (Rec r : recs) {
            int delta = (int) (r.ts() - prev);
            prev = r.ts();
            int len = (r.bytes().length + 3) / 4 * 4;
            b.putInt(p + 4, len + 4); // the long form: type_len 0, then the length
            b.putInt(p, delta << 5);
            b.put(p + 8, r.bytes());
            p += 8 + len;
        }
        long commit = p - 16;
        if (lostBefore >= 0) {
            commit |= 1L << 31;
            if (lostBefore > 0) {
                commit |= 1L << 30;
                b.putLong(p, lostBefore);
            }
        }
        b.putLong(8, commit);
        return b.array();
    }

    // ---- version 6

    byte[] v6() {
        Out o = new Out();
        o.header("6");
        o.str("header_page");
        o.sized8(headerPage());
        o.str("header_event");
        o.sized8("# compressed entry header\n".getBytes(StandardCharsets.UTF_8));
        o.u32(0); // ftrace formats
        eventFormats(o);
        o.u32(0); // kallsyms
        o.u32(0); // printk
        o.sized8(cmdlines.getBytes(StandardCharsets.UTF_8));
        int cpus = buffers.get(0).cpus().size();
        o.u32(cpus);
        // every buffer after the first is an instance: an option pointing at its own "options/flyrecord" part
        List<int[]> patches = new ArrayList<>();
        o.fixed("options  ");
        for (int i = 1; i < buffers.size(); i++) {
            byte[] name = (buffers.get(i).name() + "\0").getBytes(StandardCharsets.UTF_8);
            o.u16(3);
            o.u32(8 + name.length);
            patches.add(new int[] {o.size(), i});
            o.u64(0);
            o.bytes(name);
        }
        o.u16(0);
        int[] top = flyrecord(o, buffers.get(0));
        List<int[]> instanceTables = new ArrayList<>();
        for (int[] patch : patches) {
            o.patch64(patch[0], o.size());
            o.fixed("options  ");
            o.u16(0);
            instanceTables.add(flyrecord(o, buffers.get(patch[1])));
        }
        writeCpuData(o, buffers.get(0), top);
        for (int i = 0; i < patches.size(); i++) {
            writeCpuData(o, buffers.get(patches.get(i)[1]), instanceTables.get(i));
        }
        return o.toArray();
    }

    private int[] flyrecord(Out o, Buffer b) {
        o.fixed("flyrecord");
        int[] at = new int[b.cpus().size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = o.size();
            o.u64(0);
            o.u64(0);
        }
        return at;
    }

    // ---- version 7

    byte[] v7(String codec) {
        Out o = new Out();
        o.header("7");
        o.str(codec);
        o.str(codec.equals("none") ? "" : "1");
        int firstOptions = o.size();
        o.u64(0);
        boolean packed = !codec.equals("none");
        long headerInfo = section(o, 16, packed, codec, concat(cstr("header_page"), le64(headerPage().length), headerPage(),
                cstr("header_event"), le64(0)));
        Out ev = new Out();
        eventFormats(ev);
        long events = section(o, 18, packed, codec, ev.toArray());
        byte[] cl = cmdlines.getBytes(StandardCharsets.UTF_8);
        long cmd = section(o, 21, packed, codec, concat(le64(cl.length), cl));
        // the buffers' flyrecord sections: a header, then each CPU's data (compressed in chunks when packed)
        List<byte[]> bufferOptions = new ArrayList<>();
        for (Buffer b : buffers) {
            long sectionAt = o.size();
            o.u16(3);
            o.u16(packed ? 1 : 0);
            o.u32(0);
            o.u64(0);
            Out opt = new Out();
            opt.u64(sectionAt);
            opt.str(b.name());
            opt.str("local");
            opt.u32(PAGE);
            opt.u32(b.cpus().size());
            for (Cpu c : b.cpus()) {
                long start = o.size();
                byte[] data = cpuBytes(c);
                if (packed) {
                    o.u32(1);
                    byte[] z = compress(codec, data);
                    o.u32(z.length);
                    o.u32(data.length);
                    o.bytes(z);
                } else {
                    o.bytes(data);
                }
                opt.u32(c.cpu());
                opt.u64(start);
                opt.u64(o.size() - start);
            }
            bufferOptions.add(opt.toArray());
        }
        Out opts = new Out();
        option(opts, 16, le64(headerInfo));
        option(opts, 18, le64(events));
        option(opts, 21, le64(cmd));
        for (byte[] b : bufferOptions) {
            option(opts, 3, b);
        }
        if (tsc2nsec != null) {
            Out t = new Out();
            t.u32((int) tsc2nsec[0]);
            t.u32((int) tsc2nsec[1]);
            t.u64(tsc2nsec[2]);
            option(opts, 14, t.toArray());
        }
        option(opts, 0, le64(loopOptions ? o.size() : 0)); // the section is written next, at o.size()
        long optionsAt = section(o, 0, packed, codec, opts.toArray());
        o.patch64(firstOptions, optionsAt);
        return o.toArray();
    }

    private static void option(Out o, int id, byte[] data) {
        o.u16(id);
        o.u32(data.length);
        o.bytes(data);
    }

    private static long section(Out o, int id, boolean packed, String codec, byte[] content) {
        long at = o.size();
        o.u16(id);
        o.u16(packed ? 1 : 0);
        o.u32(0);
        if (packed) {
            byte[] z = compress(codec, content);
            o.u64(8 + z.length);
            o.u32(z.length);
            o.u32(content.length);
            o.bytes(z);
        } else {
            o.u64(content.length);
            o.bytes(content);
        }
        return at;
    }

    // ---- shared

    private void writeCpuData(Out o, Buffer b, int[] table) {
        for (int i = 0; i < table.length; i++) {
            byte[] data = cpuBytes(b.cpus().get(i));
            o.patch64(table[i], o.size());
            o.patch64(table[i] + 8, data.length);
            o.bytes(data);
        }
    }

    private static byte[] cpuBytes(Cpu c) {
        Out o = new Out();
        for (int i = 0; i < c.pages().size(); i++) {
            o.bytes(page(c.pages().get(i), c.lostBefore() == null ? -1 : c.lostBefore()[i]));
        }
        return o.toArray();
    }

    private void eventFormats(Out o) {
        o.u32(formats.size());
        formats.forEach((system, texts) -> {
            o.str(system);
            o.u32(texts.size());
            for (String t : texts) {
                o.sized8(t.getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    private static byte[] headerPage() {
        return ("\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
                + "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] compress(String codec, byte[] data) {
        if (codec.equals("zstd")) {
            ZstdCompressor z = new ZstdCompressor();
            byte[] out = new byte[z.maxCompressedLength(data.length)];
            int n = z.compress(data, 0, data.length, out, 0, out.length);
            return Arrays.copyOf(out, n);
        }
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    private static byte[] cstr(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] concat(byte[]... parts) {
        Out o = new Out();
        for (byte[] p : parts) {
            o.bytes(p);
        }
        return o.toArray();
    }

    /** Little-endian output with patching. */
    private static final class Out {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();
        private final List<long[]> patches = new ArrayList<>();

        void header(String version) {
            bytes(TraceDatFile.MAGIC);
            str(version);
            b.write(0); // little endian
            b.write(8); // long size
            u32(PAGE);
        }

        void str(String s) {
            bytes(cstr(s));
        }

        void fixed(String s) {
            bytes(Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), 10));
        }

        void sized8(byte[] data) {
            u64(data.length);
            bytes(data);
        }

        void u16(int v) {
            bytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
        }

        void u32(int v) {
            bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        void u64(long v) {
            bytes(le64(v));
        }

        void bytes(byte[] x) {
            b.write(x, 0, x.length);
        }

        int size() {
            return b.size();
        }

        void patch64(int at, long v) {
            patches.add(new long[] {at, v});
        }

        byte[] toArray() {
            byte[] out = b.toByteArray();
            for (long[] p : patches) {
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong((int) p[0], p[1]);
            }
            return out;
        }
    }
}
