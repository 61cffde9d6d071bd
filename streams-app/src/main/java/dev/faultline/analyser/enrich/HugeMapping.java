package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.SpteChanged;
import java.util.List;

/**
 * The GFN range a mapping at a page-table level covers (level 2 = 2 MiB = 512 pages, 3 = 1 GiB),
 * and whether its memory attributes are mixed. The TDX/SNP part 1 thread (gmem hook for the max NPT
 * mapping level; docs/design.md §7): a huge mapping must not span private and shared pages.
 */
public final class HugeMapping {
    public final long first;
    public final long last;
    public final boolean mixed;
    /** The new SPTE has a permission bit (a mapping, not a zap). */
    public final boolean present;

    public HugeMapping(SpteChanged s, VmView view) {
        int level = Math.max(1, Math.min(s.getLevel(), 5));
        long pages = 1L << (9 * (level - 1));
        first = s.getGfn() & ~(pages - 1);
        last = first + pages - 1;
        present = (s.getSpte() & 0x7) != 0;
        if (level < 2) {
            mixed = false;
        } else {
            List<Interval> r = view.attributeRanges(first, last);
            boolean allShared = r.isEmpty();
            boolean oneValue = r.size() == 1 && r.get(0).first() == first && r.get(0).last() == last;
            mixed = !allShared && !oneValue;
        }
    }
}
