package dev.faultline.events;

/**
 * What an event body touches, worked out in one place for the collector and the analyser (state, enrich, rules):
 * its kind, the guest frames it names and the guest_memfd pages it names. What each consumer then does with a body
 * stays with the consumer; only these facts are shared, so they cannot drift apart.
 *
 * @param kind which part of the machine the body comes from
 * @param gfns the guest frames the body names; null when it names none
 * @param gmem the guest_memfd pages the body names by inode; null for the rest
 */
public record BodyFacts(Kind kind, Gfns gfns, GmemPages gmem) {
    /** KVM_HC_MAP_GPA_RANGE: a0 GPA, a1 number of 4 KiB pages, a2 attributes. */
    public static final long MAP_GPA_RANGE = 0xc;

    private static final BodyFacts OTHER = new BodyFacts(Kind.OTHER, null, null);
    private static final BodyFacts GUEST = new BodyFacts(Kind.GUEST, null, null);
    private static final BodyFacts MMU = new BodyFacts(Kind.MMU, null, null);
    /** The last GFN of the 64-bit space: a count of pages above it runs past 2^64. */
    private static final long MAX_PAGES = -1L >>> 12;
    /** Folio orders above this would shift a page count out of a long; no kernel has them. */
    private static final int MAX_ORDER = 40;

    public enum Kind {
        /** A vCPU ran the guest (a fault, an exit, a hypercall, port or MMIO I/O): launch-time set-up is over. */
        GUEST,
        /** Host MMU work on the VM's page tables: kernel threads run it too, and they own no vCPU. */
        MMU,
        /** A guest_memfd page-cache event: it names its file by inode, not its VM. */
        GMEM_PAGE,
        OTHER
    }

    /**
     * GFNs [first, last], unsigned. Sizes and page counts are guest-controlled: a range that wraps past 2^64 is
     * {@code clamped} to end at the top; a size of 0 is {@code empty}: it names {@code first} and touches nothing
     * (then last = first).
     */
    public record Gfns(long first, long last, boolean empty, boolean clamped) {

        static Gfns page(long gfn) {
            return new Gfns(gfn, gfn, false, false);
        }

        /** The frames of bytes [gpa, gpa + size). */
        public static Gfns ofBytes(long gpa, long size) {
            long first = gpa >>> 12;
            if (size == 0) {
                return new Gfns(first, first, true, false);
            }
            long end = gpa + size - 1;
            boolean wraps = Long.compareUnsigned(end, gpa) < 0;
            return new Gfns(first, (wraps ? -1L : end) >>> 12, false, wraps);
        }
    }

    /** Pages [first, last] of the guest_memfd file with this inode. */
    public record GmemPages(long inode, long first, long last) {

        /** A folio of 2^order pages at a byte offset. */
        static GmemPages folio(long inode, long offset, int order) {
            long first = offset >>> 12;
            return new GmemPages(inode, first, first + (1L << Math.min(order, MAX_ORDER)) - 1);
        }
    }

    /** The one dispatch over body types. */
    public static BodyFacts of(Object body) {
        if (body instanceof PageFault f) {
            return new BodyFacts(Kind.GUEST, Gfns.page(f.getGpa() >>> 12), null);
        } else if (body instanceof Mmio m) {
            return new BodyFacts(Kind.GUEST, Gfns.page(m.getGpa() >>> 12), null);
        } else if (body instanceof Hypercall h) {
            return h.getNr() == MAP_GPA_RANGE ? new BodyFacts(Kind.GUEST, mapGpaRange(h), null) : GUEST;
        } else if (body instanceof Pio || body instanceof UserspaceExit || body instanceof VcpuExit || body instanceof VmgExit) {
            return GUEST;
        } else if (body instanceof SpteChanged s) {
            return new BodyFacts(Kind.MMU, Gfns.page(s.getGfn()), null);
        } else if (body instanceof HugePageSplit h) {
            return new BodyFacts(Kind.MMU, Gfns.page(h.getGfn()), null);
        } else if (body instanceof HvaRangeUnmapped) {
            return MMU; // host virtual addresses: no GFN without the memslots
        } else if (body instanceof GmemPageAdded a) {
            return new BodyFacts(Kind.GMEM_PAGE, null, GmemPages.folio(a.getInode(), a.getOffset(), a.getOrder()));
        } else if (body instanceof GmemPageRemoved r) {
            return new BodyFacts(Kind.GMEM_PAGE, null, GmemPages.folio(r.getInode(), r.getOffset(), r.getOrder()));
        } else if (body instanceof GmemHostFault f) {
            long page = f.getOffset() >>> 12;
            return new BodyFacts(Kind.GMEM_PAGE, null, new GmemPages(f.getInode(), page, page));
        } else if (body instanceof MemoryAttributes a) {
            return new BodyFacts(Kind.OTHER, Gfns.ofBytes(a.getGpa(), a.getSize()), null);
        } else if (body instanceof Populate p) {
            return new BodyFacts(Kind.OTHER, Gfns.ofBytes(p.getGpa(), p.getSize()), null);
        } else if (body instanceof RmpFault r) {
            return new BodyFacts(Kind.OTHER, Gfns.page(r.getGpa() >>> 12), null);
        }
        return OTHER;
    }

    /** a1 pages from GPA a0; more pages than 2^64 bytes hold cannot be shifted into bytes, and end at the top. */
    private static Gfns mapGpaRange(Hypercall h) {
        long pages = h.getA1();
        if (Long.compareUnsigned(pages, MAX_PAGES) > 0) {
            return new Gfns(h.getA0() >>> 12, MAX_PAGES, false, true);
        }
        return Gfns.ofBytes(h.getA0(), pages << 12);
    }
}
