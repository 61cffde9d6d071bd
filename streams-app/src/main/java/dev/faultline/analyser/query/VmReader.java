package dev.faultline.analyser.query;

import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import java.util.List;

/**
 * The questions the query API asks of one VM on this instance, answered from the same state the rules read
 * (read-only views of the VM's partition) in the query package's own types.
 */
public final class VmReader {
    /** KVM_MEMORY_ATTRIBUTE_PRIVATE. */
    public static final long ATTR_PRIVATE = VmView.ATTR_PRIVATE;

    private final VmView view;

    VmReader(VmView view) {
        this.view = view;
    }

    public String vm() {
        return view.vm();
    }

    public VmFacts facts() {
        return VmFacts.of(view.vm(), view.state());
    }

    /** The attributes of a GFN now. */
    public long attributes(long gfn) {
        return view.attributes(gfn);
    }

    /** The attributes of a GFN at a kernel time; null when the time is before the kept history. */
    public Long attributesAt(long gfn, long tsNs) {
        return view.attributesAt(gfn, tsNs);
    }

    /** The memslot whose GFNs hold {@code gfn}, or null. */
    public VmFacts.MemslotFacts memslotFor(long gfn) {
        VmState.Memslot m = view.state().memslotFor(gfn);
        return m == null ? null : VmFacts.MemslotFacts.of(m);
    }

    /** At most {@code max} attribute ranges in [first, last] now. */
    public List<GfnRange> attributeRanges(long first, long last, int max) {
        return copy(view.attributeRanges(first, last, max));
    }

    /** The same at a kernel time; null when the time is before the kept history. */
    public List<GfnRange> attributeRangesAt(long first, long last, long tsNs, int max) {
        return copy(view.attributeRangesAt(first, last, tsNs, max));
    }

    /** At most {@code max} populated GFN ranges in [first, last] (gmem pages through their bindings, launched pages). */
    public List<GfnRange> populatedGfns(long first, long last, int max) {
        return copy(view.populatedGfns(first, last, max));
    }

    /** One attribute change kept in the history: when, its event's sequence number, the GFNs, the new attributes. */
    public record AttributeChange(long tsNs, long seq, long first, long last, long attributes) {
    }

    /** The attribute changes in [fromNs, toNs], oldest first: the timeline. */
    public List<AttributeChange> attributeChanges(long fromNs, long toNs) {
        return view.attributeChanges(fromNs, toNs).stream()
                .map(c -> new AttributeChange(c.tsNs(), c.seq(), c.first(), c.last(), c.attributes())).toList();
    }

    private static List<GfnRange> copy(List<Interval> ranges) {
        return ranges == null ? null : ranges.stream().map(GfnRange::of).toList();
    }
}
