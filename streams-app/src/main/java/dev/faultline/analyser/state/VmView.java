package dev.faultline.analyser.state;

import dev.faultline.events.VmType;
import java.util.List;

/** One VM's state and its interval maps, as rules and the state updater see them. */
public final class VmView {
    /** KVM_MEMORY_ATTRIBUTE_PRIVATE. */
    public static final long ATTR_PRIVATE = 1L << 3;

    private final String vm;
    private final VmKeys keys;
    private final VmState state;
    private final IntervalStore intervals;
    private final AttributeHistory history;
    private final MemslotStore memslots;

    /** A view whose memslots live only in {@code state} (tests of one rule's arithmetic). */
    public VmView(String vm, VmState state, IntervalStore intervals) {
        this(vm, state, intervals, null, null);
    }

    public VmView(String vm, VmState state, IntervalStore intervals, AttributeHistory history, MemslotStore memslots) {
        this(new VmKeys(vm), state, intervals, history, memslots);
    }

    /** The processor's view: the VM's keys made once ({@link VmKeys.Cache}). */
    public VmView(VmKeys keys, VmState state, IntervalStore intervals, AttributeHistory history, MemslotStore memslots) {
        this.vm = keys.vm();
        this.keys = keys;
        this.state = state;
        this.intervals = intervals;
        this.history = history;
        this.memslots = memslots;
        if (memslots != null && !state.memslotsLoaded) {
            loadMemslots();
        }
    }

    /**
     * The VM's memslots into its state, once per state object: from their store, or, for a state of state
     * release 0 or 1 that held them inline, from the state into the store (the processor's; a query's view
     * only reads them).
     */
    private void loadMemslots() {
        if (state.memslots.isEmpty()) {
            state.memslots.putAll(memslots.load(vm));
        } else if (memslots.writable()) {
            state.memslots.forEach((key, slot) -> memslots.put(vm, key, slot));
        }
        state.memslotsLoaded = true;
    }

    /** Adds or replaces a memslot, in the state and its store. */
    public void putMemslot(String key, VmState.Memslot slot) {
        state.putMemslot(key, slot);
        if (memslots != null) {
            memslots.put(vm, key, slot);
        }
    }

    public void removeMemslot(String key) {
        state.removeMemslot(key);
        if (memslots != null) {
            memslots.delete(vm, key);
        }
    }

    /** Records an attribute change in the history (when the view has one). */
    public void recordChange(AttributeHistory.Change c) {
        if (history != null) {
            history.record(vm, state, c);
        }
    }

    public String vm() {
        return vm;
    }

    public VmState state() {
        return state;
    }

    public VmType type() {
        return VmType.valueOf(state.vmType);
    }

    /** SNP, TDX and software-protected VMs have private memory; SEV, SEV-ES and default VMs do not. */
    public boolean hasPrivateMemory() {
        return switch (type()) {
            case SEV_SNP, TDX, SW_PROTECTED -> true;
            default -> false;
        };
    }

    /** Memory attributes of a GFN (0 = shared, no attributes). */
    public long attributes(long gfn) {
        Long v = intervals.get(attributeSpace(), gfn);
        return v == null ? 0 : v;
    }

    public boolean attributePrivate(long gfn) {
        return (attributes(gfn) & ATTR_PRIVATE) != 0;
    }

    public List<Interval> attributeRanges(long first, long last) {
        return intervals.overlapping(attributeSpace(), first, last);
    }

    /** At most {@code max} attribute ranges from the start of [first, last]: what a query may ask for. */
    public List<Interval> attributeRanges(long first, long last, int max) {
        return intervals.overlapping(attributeSpace(), first, last, max);
    }

    /** Attributes of a GFN at {@code tsNs} (0: shared); null before the kept history or without one. */
    public Long attributesAt(long gfn, long tsNs) {
        return history == null ? null : history.attributeAt(vm, state, gfn, tsNs);
    }

    /** At most {@code max} attribute ranges of [first, last] at {@code tsNs}; null before the kept history or without one. */
    public List<Interval> attributeRangesAt(long first, long last, long tsNs, int max) {
        return history == null ? null : history.rangesAt(vm, state, first, last, tsNs, max);
    }

    /** Attribute changes in [fromNs, toNs], oldest first; empty without a history. */
    public List<AttributeHistory.Change> attributeChanges(long fromNs, long toNs) {
        return history == null ? List.of() : history.changes(vm, fromNs, toNs);
    }

    public void setAttributes(long first, long last, long attributes) {
        if (attributes == 0) {
            intervals.clear(attributeSpace(), first, last);
        } else {
            intervals.put(attributeSpace(), first, last, attributes);
        }
    }

    /** Whether gmem page {@code page} of inode {@code inode} is populated. */
    public boolean populated(long inode, long page) {
        return intervals.get(populatedSpace(inode), page) != null;
    }

    public void setPopulated(long inode, long firstPage, long lastPage, boolean populated) {
        if (populated) {
            intervals.put(populatedSpace(inode), firstPage, lastPage, 1);
        } else {
            intervals.clear(populatedSpace(inode), firstPage, lastPage);
        }
    }

    /** Populated gmem page ranges of {@code inode} within [first, last]. */
    public List<Interval> populatedRanges(long inode, long firstPage, long lastPage) {
        return intervals.overlapping(populatedSpace(inode), firstPage, lastPage);
    }

    /**
     * At most {@code max} GFN ranges in [first, last] whose backing is populated: gmem pages
     * populated (mapped to GFNs through the memslots bound to their file) and pages launched.
     * Sorted and merged; at most {@code max} from each source are read.
     */
    public List<Interval> populatedGfns(long first, long last, int max) {
        List<Interval> out = new java.util.ArrayList<>();
        for (VmState.Memslot m : state.memslots.values()) {
            if (!m.isGmemBound() || m.gmemInode == null || m.addressSpace != 0 || m.npages() == 0) {
                continue;
            }
            long base = m.baseGfn();
            long end = base + m.npages() - 1;
            if (Long.compareUnsigned(end, first) < 0 || Long.compareUnsigned(base, last) > 0) {
                continue;
            }
            long a = Long.compareUnsigned(base, first) < 0 ? first : base;
            long b = Long.compareUnsigned(end, last) > 0 ? last : end;
            for (Interval p : intervals.overlapping(populatedSpace(m.gmemInode), m.index() + (a - base),
                    m.index() + (b - base), max - out.size())) {
                out.add(new Interval(base + (p.first() - m.index()), base + (p.last() - m.index()), 1));
            }
        }
        out.addAll(intervals.overlapping(launchSpace(), first, last, Math.max(0, max - out.size())));
        // The sources overlap (a launched page is populated gmem too): one sorted, merged list.
        out.sort((x, y) -> Long.compareUnsigned(x.first(), y.first()));
        List<Interval> merged = new java.util.ArrayList<>();
        for (Interval i : out) {
            Interval prev = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (prev != null && prev.last() != -1L && Long.compareUnsigned(i.first(), prev.last() + 1) <= 0) {
                if (Long.compareUnsigned(i.last(), prev.last()) > 0) {
                    merged.set(merged.size() - 1, new Interval(prev.first(), i.last(), 1));
                }
            } else {
                merged.add(i);
            }
        }
        return merged.size() > max ? merged.subList(0, max) : merged;
    }

    /** Pages in [first, last] whose attribute is PRIVATE. */
    public long privatePages(long first, long last) {
        long n = 0;
        for (Interval i : attributeRanges(first, last)) {
            if ((i.value() & ATTR_PRIVATE) != 0) {
                n += i.last() - i.first() + 1;
            }
        }
        return n;
    }

    /** GFN ranges populated by launch update / pre-fault (ret 0), overlapping [first, last]. */
    public List<Interval> launched(long first, long last) {
        return intervals.overlapping(launchSpace(), first, last);
    }

    public void setLaunched(long first, long last) {
        intervals.put(launchSpace(), first, last, 1);
    }

    /** The guest's last requested state of a GFN: {@link #REQUESTED_PRIVATE}, {@link #REQUESTED_SHARED}, or null. */
    public Long requested(long gfn) {
        return intervals.get(requestSpace(), gfn);
    }

    public void setRequested(long first, long last, boolean toPrivate) {
        intervals.put(requestSpace(), first, last, toPrivate ? REQUESTED_PRIVATE : REQUESTED_SHARED);
    }

    public static final long REQUESTED_PRIVATE = 1;
    public static final long REQUESTED_SHARED = 2;

    private String requestSpace() {
        return keys.requests();
    }

    private String launchSpace() {
        return keys.launched();
    }

    private String attributeSpace() {
        return keys.attributes();
    }

    private String populatedSpace(long inode) {
        return keys.populated(inode);
    }
}
