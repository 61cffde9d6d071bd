package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.GmemInvalidation;
import java.util.ArrayList;
import java.util.List;

/**
 * What a punch-hole on a guest_memfd does against the file's bindings, by the gmem invalidation
 * arithmetic of docs/design.md §7: the invalidation walks the bindings overlapping pages [start, end)
 * and, for each, invalidates GFNs
 * {@code base_gfn + max(start, index) - index .. base_gfn + min(end - index, npages)}; a range running
 * past a binding hit {@code WARN_ON_ONCE(start < index || end > index + npages)} and skipped it.
 * Page numbers stay below 2^53, so signed arithmetic on them is exact.
 */
public final class InvalidationFacts {
    private static final long PAGE = 4096;

    public final boolean unaligned;
    public final boolean zeroLength;
    public final boolean wraps;
    /** Null when the file's size is unknown. */
    public final Boolean pastEof;
    /** The file has bindings whose details are known. */
    public final boolean bound;
    public final boolean runsPastBinding;
    public final boolean outsideBindings;
    /** GFNs of the first binding the range runs past, clamped; null when none. */
    public final Long gfnStart;
    public final Long gfnEnd;
    public final String problems;
    public final String bindings;
    /** Populated pages in the range whose GFNs are private: guest data the punch-hole destroys. */
    public final long privatePagesDiscarded;

    public InvalidationFacts(GmemInvalidation g, VmView view) {
        VmState s = view.state();
        long offset = g.getOffset();
        long length = g.getLength();
        List<String> p = new ArrayList<>();
        unaligned = offset % PAGE != 0 || length % PAGE != 0;
        if (unaligned) {
            p.add("unaligned (offset " + Hex.of(offset) + ", length " + Hex.of(length) + ")");
        }
        zeroLength = length == 0;
        if (zeroLength) {
            p.add("zero length");
        }
        long endByte = offset + length;
        wraps = Long.compareUnsigned(endByte, offset) < 0;
        if (wraps) {
            p.add("offset + length wraps past 2^64");
            endByte = -1L;
        }
        VmState.GmemFile file = s.gmemFile(g.getFd(), g.getInode());
        pastEof = file == null || file.size == null ? null : Long.compareUnsigned(endByte, file.size) > 0;
        if (Boolean.TRUE.equals(pastEof)) {
            p.add("ends at " + Hex.of(endByte) + ", past the file's end " + Hex.of(file.size));
        }
        long start = offset >>> 12;
        long end = wraps ? (-1L >>> 12) + 1 : (endByte + PAGE - 1) >>> 12;
        List<VmState.Memslot> slots = s.bindingsOf(g.getFd(), g.getInode());
        bound = !slots.isEmpty();
        boolean past = false;
        long covered = 0;
        long discarded = 0;
        Long first = null;
        Long last = null;
        List<String> described = new ArrayList<>();
        for (VmState.Memslot b : slots) {
            described.add("slot " + b.slot + ": gmem " + Hex.of(b.gmemOffset) + "+" + Hex.of(b.size) + " at GPA " + Hex.of(b.gpa));
            long index = b.index();
            long bindEnd = index + b.npages();
            long lo = Math.max(start, index);
            long hi = Math.min(end, bindEnd);
            if (lo >= hi) {
                continue;
            }
            covered += hi - lo;
            if (g.getInode() != null) {
                for (Interval pop : view.populatedRanges(g.getInode(), lo, hi - 1)) {
                    discarded += view.privatePages(b.baseGfn() + pop.first() - index, b.baseGfn() + pop.last() - index);
                }
            }
            if (start < index || end > bindEnd) {
                past = true;
                p.add("pages [" + Hex.of(start) + ", " + Hex.of(end) + ") run past binding slot " + b.slot + " (gmem pages ["
                        + Hex.of(index) + ", " + Hex.of(bindEnd) + ") at GFN " + Hex.of(b.baseGfn()) + ")");
                if (first == null) {
                    first = b.baseGfn() + lo - index;
                    last = b.baseGfn() + Math.min(end - index, b.npages()) - 1;
                }
            }
        }
        runsPastBinding = past;
        outsideBindings = bound && !past && covered < end - start;
        if (outsideBindings) {
            p.add("pages [" + Hex.of(start) + ", " + Hex.of(end) + ") are outside every binding of the file");
        }
        privatePagesDiscarded = discarded;
        gfnStart = first;
        gfnEnd = last;
        problems = String.join("; ", p);
        bindings = described.isEmpty() ? "none" : String.join(", ", described);
    }
}
