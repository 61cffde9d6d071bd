package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.MemslotSet;

/**
 * What a memslot update does to the slot it replaces. Sean Christopherson (22 May 2023, docs/design.md
 * §7): "the code subtly relies on private memslots being immutable"; a guest_memfd range must be bound
 * once.
 */
public final class MemslotChange {
    /** new, deleted, moved, resized, flags, unchanged; null when the update's struct is unknown. */
    public final String change;
    public final boolean previousGmem;
    /** The replaced binding had populated pages whose GFNs are private. */
    public final boolean populatedPrivate;
    /** Another slot binds an overlapping range of the same guest_memfd; its id, or null. */
    public final Integer doubleBoundWith;

    public MemslotChange(MemslotSet m, VmView view) {
        VmState s = view.state();
        if (m.getSlot() == null) {
            change = null;
            previousGmem = false;
            populatedPrivate = false;
            doubleBoundWith = null;
            return;
        }
        int as = m.getAddressSpace() == null ? 0 : m.getAddressSpace();
        String key = as + ":" + m.getSlot();
        VmState.Memslot old = s.memslots.get(key);
        long size = m.getSize() == null ? 0 : m.getSize();
        long gpa = m.getGpa() == null ? 0 : m.getGpa();
        long flags = m.getFlags() == null ? 0 : m.getFlags();
        if (old == null) {
            change = size == 0 ? "unchanged" : "new";
        } else if (size == 0) {
            change = "deleted";
        } else if (old.gpa != gpa) {
            change = "moved";
        } else if (old.size != size) {
            change = "resized";
        } else if (old.flags != flags) {
            change = "flags";
        } else {
            change = "unchanged";
        }
        previousGmem = old != null && old.isGmemBound();
        populatedPrivate = previousGmem && old.gmemInode != null && hasPopulatedPrivate(view, old);
        Integer other = null;
        // size and offset are u64: 2^63 bytes is a size, not a negative one; in pages (< 2^52 each) the end
        // of the range cannot wrap
        if (size != 0 && m.getGmemFd() != null && (flags & 4) != 0) {
            long first = (m.getGmemOffset() == null ? 0 : m.getGmemOffset()) >>> 12;
            long end = first + (size >>> 12);
            for (VmState.Memslot b : s.bindingsOf(m.getGmemFd(), m.getGmemInode())) {
                if ((b.addressSpace != as || b.slot != m.getSlot()) && first < b.index() + b.npages() && b.index() < end) {
                    other = b.slot;
                    break;
                }
            }
        }
        doubleBoundWith = other;
    }

    private static boolean hasPopulatedPrivate(VmView view, VmState.Memslot b) {
        if (b.npages() == 0) {
            return false;
        }
        for (Interval pop : view.populatedRanges(b.gmemInode, b.index(), b.index() + b.npages() - 1)) {
            if (view.privatePages(b.baseGfn() + pop.first() - b.index(), b.baseGfn() + pop.last() - b.index()) > 0) {
                return true;
            }
        }
        return false;
    }
}
