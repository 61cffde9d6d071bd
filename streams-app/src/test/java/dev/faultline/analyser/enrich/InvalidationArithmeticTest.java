package dev.faultline.analyser.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.analyser.state.IntervalStore;
import dev.faultline.analyser.state.RocksStores;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.GmemInvalidation;
import java.nio.file.Path;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every edge of the gmem invalidation range arithmetic (docs/design.md §7). Binding: slot 1, file
 * pages [0x200, 0x400) (gmem.index 0x200, npages 0x200) at base GFN 0x100; slot 2 right after it, file
 * pages [0x400, 0x500) at base GFN 0x1000; the file is 0x800 pages. For each binding the punch-hole
 * overlaps, KVM invalidates GFNs base_gfn + max(start, index) - index .. base_gfn + min(end - index,
 * npages), and the thread's WARN_ON_ONCE(start < index || end > index + npages) skips a binding the
 * range is not inside.
 */
class InvalidationArithmeticTest {
    @TempDir
    Path dir;
    KeyValueStore<Bytes, byte[]> kv;
    VmView view;

    @BeforeEach
    void bind() {
        kv = RocksStores.open(dir, "iv");
        VmState s = new VmState();
        s.vmType = "SEV_SNP";
        VmState.GmemFile f = new VmState.GmemFile();
        f.fd = 6;
        f.inode = 0x77L;
        f.size = 0x800L << 12;
        s.gmem.put(6, f);
        s.memslots.put("0:1", slot(1, 0x100, 0x200, 0x200));
        s.memslots.put("0:2", slot(2, 0x1000, 0x400, 0x100));
        view = new VmView("vm", s, new IntervalStore(kv));
    }

    @AfterEach
    void close() {
        kv.close();
    }

    static VmState.Memslot slot(int id, long baseGfn, long index, long npages) {
        VmState.Memslot m = new VmState.Memslot();
        m.slot = id;
        m.flags = 4;
        m.gpa = baseGfn << 12;
        m.size = npages << 12;
        m.gmemFd = 6;
        m.gmemInode = 0x77L;
        m.gmemOffset = index << 12;
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            exactly slot 1                          | 0x200000 | 0x200000 | ok      |       |
            from index, short of the end            | 0x200000 | 0x1000   | ok      |       |
            last page of slot 1                     | 0x3ff000 | 0x1000   | ok      |       |
            one page before index into slot 1       | 0x1ff000 | 0x2000   | past    | 0x100 | 0x100
            last page of slot 1 and one after       | 0x3ff000 | 0x2000   | past    | 0x2ff | 0x2ff
            over slot 1 on both sides               | 0x100000 | 0x400000 | past    | 0x100 | 0x2ff
            wholly before the bindings              | 0x0      | 0x100000 | outside |       |
            ending exactly at index                 | 0x1f0000 | 0x10000  | outside |       |
            wholly after every binding              | 0x500000 | 0x100000 | outside |       |
            across slots 1 and 2 (the WARN skips both) | 0x3f0000 | 0x20000 | past   | 0x2f0 | 0x2ff
            exactly slot 2                          | 0x400000 | 0x100000 | ok      |       |
            """)
    void bindingEdges(String name, String offset, String length, String verdict, String gfnStart, String gfnEnd) {
        InvalidationFacts f = facts(Long.decode(offset), Long.decode(length));
        assertThat(f.unaligned || f.zeroLength || f.wraps || f.pastEof).as("no other problem").isFalse();
        switch (verdict) {
            case "ok" -> assertThat(f.runsPastBinding || f.outsideBindings).as(f.problems).isFalse();
            case "past" -> {
                assertThat(f.runsPastBinding).as(f.problems).isTrue();
                assertThat(f.gfnStart).isEqualTo(Long.decode(gfnStart));
                assertThat(f.gfnEnd).isEqualTo(Long.decode(gfnEnd));
            }
            default -> {
                assertThat(f.outsideBindings).as(f.problems).isTrue();
                assertThat(f.runsPastBinding).isFalse();
                assertThat(f.gfnStart).isNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unaligned offset                 | 0x200800           | 0x1000   | unaligned
            unaligned length                 | 0x200000           | 0x1800   | unaligned
            zero length                      | 0x200000           | 0x0      | zero
            last page of the file            | 0x7ff000           | 0x1000   | none
            one page past the file           | 0x7ff000           | 0x2000   | eof
            wraps past 2^64                  | 0xfffffffffffff000 | 0x2000   | wraps
            """)
    void requestEdges(String name, String offset, String length, String problem) {
        InvalidationFacts f = facts(Long.parseUnsignedLong(offset.substring(2), 16), Long.parseUnsignedLong(length.substring(2), 16));
        assertThat(f.unaligned).isEqualTo(problem.equals("unaligned"));
        assertThat(f.zeroLength).isEqualTo(problem.equals("zero"));
        assertThat(f.pastEof).isEqualTo(problem.equals("eof") || problem.equals("wraps"));
        assertThat(f.wraps).isEqualTo(problem.equals("wraps"));
    }

    private InvalidationFacts facts(long offset, long length) {
        return new InvalidationFacts(new GmemInvalidation(6, 0x77L, offset, length, 3, 0L), view);
    }
}
