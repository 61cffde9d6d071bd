package dev.faultline.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.events.BodyFacts.Gfns;
import dev.faultline.events.BodyFacts.GmemPages;
import dev.faultline.events.BodyFacts.Kind;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BodyFactsTest {
    private static final long TOP = -1L >>> 12;
    /** The 64-bit values guests can hand over, and their neighbours. */
    private static final long[] EXTREMES = {0, 1, 2, 0xfff, 0x1000, 0x1001, 0xfffff000L, Long.MAX_VALUE, Long.MIN_VALUE,
        TOP, TOP + 1, -0x1000L, -0x1001L, -2, -1};

    @Test
    void everyBodyTypeHasItsKind() throws ReflectiveOperationException {
        Map<Kind, Set<String>> kinds = new EnumMap<>(Kind.class);
        for (Schema s : Event.getClassSchema().getField("body").schema().getTypes()) {
            Object body = Class.forName(s.getFullName()).getDeclaredConstructor().newInstance();
            kinds.computeIfAbsent(BodyFacts.of(body).kind(), k -> new TreeSet<>()).add(s.getName());
        }
        assertThat(kinds.get(Kind.GUEST)).containsExactlyInAnyOrder(
                "PageFault", "Mmio", "Pio", "Hypercall", "UserspaceExit", "VcpuExit", "VmgExit");
        assertThat(kinds.get(Kind.MMU)).containsExactlyInAnyOrder("SpteChanged", "HugePageSplit", "HvaRangeUnmapped");
        assertThat(kinds.get(Kind.GMEM_PAGE)).containsExactlyInAnyOrder("GmemPageAdded", "GmemPageRemoved", "GmemHostFault");
        assertThat(kinds.get(Kind.OTHER)).hasSize(11).contains("MemoryAttributes", "Populate", "RmpFault", "MemslotSet");
    }

    @Test
    void singlePagesAndNone() {
        assertThat(BodyFacts.of(new PageFault(null, null, 0x12345678L, 0L, null)).gfns()).isEqualTo(new Gfns(0x12345, 0x12345, false, false));
        assertThat(BodyFacts.of(new Mmio(MmioKind.WRITE, 4, -1L, 0L)).gfns()).isEqualTo(new Gfns(TOP, TOP, false, false));
        assertThat(BodyFacts.of(new RmpFault(0, 0x5000L, 0L, 0L, 0, 0)).gfns().first()).isEqualTo(5);
        assertThat(BodyFacts.of(new SpteChanged(-1L, 1, 0L, null, null)).gfns()).isEqualTo(new Gfns(-1L, -1L, false, false));
        assertThat(BodyFacts.of(new HugePageSplit(7L, 0L, 2, 0)).gfns().last()).isEqualTo(7);
        assertThat(BodyFacts.of(new Hypercall(0xbL, 0x1000L, 1L, 0L, 0L))).isEqualTo(new BodyFacts(Kind.GUEST, null, null));
        assertThat(BodyFacts.of(new HvaRangeUnmapped(0L, 0x1000L)).gfns()).isNull();
        assertThat(BodyFacts.of(new TraceLoss(0, 1L, LossReason.values()[0]))).isEqualTo(new BodyFacts(Kind.OTHER, null, null));
        assertThat(BodyFacts.of(null).kind()).isEqualTo(Kind.OTHER);
    }

    @Test
    void byteRangesAreClampedAtTheTopAndEmptyWhenSizeIsZero() {
        assertThat(Gfns.ofBytes(0x2000, 0)).isEqualTo(new Gfns(2, 2, true, false));
        assertThat(Gfns.ofBytes(0x2000, 0x2000)).isEqualTo(new Gfns(2, 3, false, false));
        assertThat(Gfns.ofBytes(0x2fff, 2)).isEqualTo(new Gfns(2, 3, false, false));
        assertThat(Gfns.ofBytes(-0x1000L, 0x1000)).isEqualTo(new Gfns(TOP, TOP, false, false));
        assertThat(Gfns.ofBytes(-0x1000L, 0x1001)).isEqualTo(new Gfns(TOP, TOP, false, true));
        assertThat(Gfns.ofBytes(0x1000, -1L)).isEqualTo(new Gfns(1, TOP, false, true));
        assertThat(Gfns.ofBytes(0, -1L)).isEqualTo(new Gfns(0, TOP, false, false));
        assertThat(BodyFacts.of(new MemoryAttributes(0x3000L, 0L, 8L, 0L)).gfns()).isEqualTo(new Gfns(3, 3, true, false));
        assertThat(BodyFacts.of(new Populate(PopulateKind.values()[0], 0x3000L, 0x3000L, 0L)).gfns())
                .isEqualTo(new Gfns(3, 5, false, false));
    }

    @Test
    void mapGpaRangeCountsPagesAndClampsTooManyOfThem() {
        assertThat(mapGpaRange(0x10000, 0)).isEqualTo(new Gfns(0x10, 0x10, true, false));
        assertThat(mapGpaRange(0x10000, 4)).isEqualTo(new Gfns(0x10, 0x13, false, false));
        assertThat(mapGpaRange(-0x2000L, 3)).isEqualTo(new Gfns(TOP - 1, TOP, false, true));
        // 2^52 pages do not fit in 2^64 bytes: clamped even from GPA 0, where the byte arithmetic would not wrap
        assertThat(mapGpaRange(0, TOP + 1)).isEqualTo(new Gfns(0, TOP, false, true));
        assertThat(mapGpaRange(0, TOP)).isEqualTo(new Gfns(0, TOP - 1, false, false));
    }

    @Test
    void gmemFoliosSpanTwoToTheOrderPages() {
        assertThat(BodyFacts.of(new GmemPageAdded(9L, 0x200fffL, 0L, 0)).gmem()).isEqualTo(new GmemPages(9, 0x200, 0x200));
        assertThat(BodyFacts.of(new GmemPageRemoved(9L, 0x200000L, 0L, 9)).gmem()).isEqualTo(new GmemPages(9, 0x200, 0x3ff));
        assertThat(BodyFacts.of(new GmemPageAdded(9L, 0L, 0L, 63)).gmem().last()).isEqualTo((1L << 40) - 1);
        assertThat(BodyFacts.of(new GmemHostFault(-1L, -1L))).isEqualTo(new BodyFacts(Kind.GMEM_PAGE, null, new GmemPages(-1L, TOP, TOP)));
        assertThat(BodyFacts.of(new GmemPageAdded(9L, 0L, 0L, 0)).gfns()).isNull();
    }

    static Stream<long[]> pairs() {
        return Arrays.stream(EXTREMES).boxed().flatMap(a -> Arrays.stream(EXTREMES).mapToObj(b -> new long[] {a, b}));
    }

    /** The analyser's arithmetic as it was written in the enricher and the state updater before it moved here. */
    @ParameterizedTest
    @MethodSource("pairs")
    void sameRangesAsTheAnalyserComputedThem(long[] v) {
        long gpa = v[0];
        long n = v[1];
        Gfns bytes = Gfns.ofBytes(gpa, n);
        long[] was = oldGfnRange(gpa, n);
        assertThat(bytes.empty()).isEqualTo(was == null);
        assertThat(bytes.first()).isEqualTo(gpa >>> 12);
        assertThat(bytes.last()).isEqualTo(was == null ? gpa >>> 12 : was[1]);

        Gfns req = mapGpaRange(gpa, n);
        long[] enriched = oldGfnRange(gpa, Long.compareUnsigned(n, TOP) > 0 ? -1L : n << 12);
        assertThat(req.first()).isEqualTo(gpa >>> 12);
        assertThat(req.last()).isEqualTo(enriched == null ? gpa >>> 12 : enriched[1]);
        // the state updater took a request whole only when it had pages, not too many, and did not wrap
        boolean recorded = n != 0 && Long.compareUnsigned(n, TOP) <= 0 && Long.compareUnsigned(gpa + (n << 12) - 1, gpa) >= 0;
        assertThat(!req.empty() && !req.clamped()).isEqualTo(recorded);
    }

    private static Gfns mapGpaRange(long gpa, long pages) {
        return BodyFacts.of(new Hypercall(BodyFacts.MAP_GPA_RANGE, gpa, pages, 0L, 0L)).gfns();
    }

    private static long[] oldGfnRange(long gpa, long size) {
        if (size == 0) {
            return null;
        }
        long end = gpa + size - 1;
        if (Long.compareUnsigned(end, gpa) < 0) {
            end = -1L;
        }
        return new long[] {gpa >>> 12, end >>> 12};
    }
}
