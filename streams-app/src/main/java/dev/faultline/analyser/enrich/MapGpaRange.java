package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.VmState;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.Hypercall;
import java.util.ArrayList;
import java.util.List;

/**
 * A KVM_HC_MAP_GPA_RANGE request (hypercall 0xc: a0 GPA, a1 number of 4 KiB pages, a2 attributes:
 * bits 0-3 page size 0/1/2 = 4K/2M/1G, bit 4 encrypted) checked for what the guest controls. Its GFN range is
 * {@link BodyFacts}'s.
 */
public final class MapGpaRange {
    private static final long KNOWN_ATTRIBUTE_BITS = 0x1f;

    public final boolean unaligned;
    public final boolean zeroSize;
    public final boolean overflow;
    public final boolean badAttributes;
    /** Null when the VM's memslots are not known well enough to tell. */
    public final Boolean outsideMemory;
    public final boolean toPrivate;
    public final long firstGfn;
    public final long lastGfn;
    public final String problems;

    public MapGpaRange(Hypercall h, VmState s) {
        long gpa = h.getA0();
        long pages = h.getA1();
        long attrs = h.getA2();
        List<String> p = new ArrayList<>();
        long pageSize = attrs & 0xf;
        long align = pageSize == 1 ? 1L << 21 : pageSize == 2 ? 1L << 30 : 1L << 12;
        unaligned = (gpa & (align - 1)) != 0;
        if (unaligned) {
            p.add("GPA 0x" + Long.toHexString(gpa) + " not aligned to its page size 0x" + Long.toHexString(align));
        }
        BodyFacts.Gfns range = BodyFacts.of(h).gfns();
        zeroSize = range.empty();
        if (zeroSize) {
            p.add("zero pages");
        }
        overflow = range.clamped();
        if (overflow) {
            p.add("0x" + Long.toHexString(pages) + " pages from GPA 0x" + Long.toHexString(gpa) + " wrap past 2^64");
        }
        badAttributes = (attrs & ~KNOWN_ATTRIBUTE_BITS) != 0 || pageSize > 2;
        if (badAttributes) {
            p.add("unknown attribute bits in 0x" + Long.toHexString(attrs));
        }
        toPrivate = (attrs & 0x10) != 0;
        firstGfn = range.first();
        lastGfn = range.last();
        if (s.opaqueMemslotChanges > 0 || s.memslots.isEmpty() || zeroSize || overflow) {
            outsideMemory = null;
        } else {
            boolean outside = false;
            for (long g = firstGfn; Long.compareUnsigned(g, lastGfn) <= 0 && !outside; ) {
                VmState.Memslot m = s.memslotFor(g);
                if (m == null) {
                    outside = true;
                } else {
                    long next = m.baseGfn() + m.npages();
                    if (next == 0) {
                        break;
                    }
                    g = next;
                }
            }
            outsideMemory = outside;
            if (outside) {
                p.add("GFNs 0x" + Long.toHexString(firstGfn) + "..0x" + Long.toHexString(lastGfn) + " are not all guest memory");
            }
        }
        problems = String.join("; ", p);
    }
}
