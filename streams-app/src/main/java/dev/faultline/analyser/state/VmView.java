package dev.faultline.analyser.state;

import dev.faultline.events.VmType;
import java.util.List;

/** One VM's state and its interval maps, as rules and the state updater see them. */
public final class VmView {
    /** KVM_MEMORY_ATTRIBUTE_PRIVATE. */
    public static final long ATTR_PRIVATE = 1L << 3;

    private final String vm;
    private final VmState state;
    private final IntervalStore intervals;
    private final AttributeHistory history;

    public VmView(String vm, VmState state, IntervalStore intervals) {
        this(vm, state, intervals, null);
    }

    public VmView(String vm, VmState state, IntervalStore intervals, AttributeHistory history) {
        this.vm = vm;
        this.state = state;
        this.intervals = intervals;
        this.history = history;
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
        return "req|" + vm;
    }

    private String launchSpace() {
        return "launch|" + vm;
    }

    private String attributeSpace() {
        return "attr|" + vm;
    }

    private String populatedSpace(long inode) {
        return "pop|" + vm + "|" + Long.toHexString(inode);
    }
}
