package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.StateUpdater;
import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.Event;
import dev.faultline.events.HugePageSplit;
import dev.faultline.events.Hypercall;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.Populate;
import dev.faultline.events.RmpFault;
import dev.faultline.events.SpteChanged;
import dev.faultline.events.Mmio;
import dev.faultline.events.PageFault;

/** Derives the facts rules share from the event and the state before it. */
public final class Enricher {

    public EnrichedEvent enrich(Event event, VmView vm, VcpuContext vcpu) {
        Object body = event.getBody();
        Long gfn = null;
        Boolean faultPrivate = null;
        if (body instanceof PageFault f) {
            gfn = f.getGpa() >>> 12;
            faultPrivate = f.getPrivate$() != null ? f.getPrivate$() : attributeDecides(vm, gfn);
        } else if (body instanceof Mmio m) {
            gfn = m.getGpa() >>> 12;
            if (vcpu.lastFaultGfn != null && vcpu.lastFaultGfn.longValue() == gfn) {
                faultPrivate = vcpu.lastFaultPrivate;
            }
        } else {
            gfn = firstGfn(body);
        }
        return new EnrichedEvent(event, vm, vcpu, gfn, lastGfn(body, gfn), faultPrivate);
    }

    /** The last GFN of the range an event names: sizes and page counts are guest-controlled, clamp them. */
    private static Long lastGfn(Object body, Long gfn) {
        if (gfn == null) {
            return null;
        }
        long[] r = null;
        if (body instanceof MemoryAttributes a) {
            r = StateUpdater.gfnRange(a.getGpa(), a.getSize());
        } else if (body instanceof Populate p) {
            r = StateUpdater.gfnRange(p.getGpa(), p.getSize());
        } else if (body instanceof Hypercall h && h.getNr() == MapGpaRange.NR) {
            long pages = h.getA1();
            r = StateUpdater.gfnRange(h.getA0(), Long.compareUnsigned(pages, -1L >>> 12) > 0 ? -1L : pages << 12);
        }
        return r == null ? gfn : r[1];
    }

    /** The first GFN of events that name guest memory; null for the rest. */
    private static Long firstGfn(Object body) {
        if (body instanceof MemoryAttributes a) {
            return a.getGpa() >>> 12;
        } else if (body instanceof Populate p) {
            return p.getGpa() >>> 12;
        } else if (body instanceof RmpFault r) {
            return r.getGpa() >>> 12;
        } else if (body instanceof SpteChanged s) {
            return s.getGfn();
        } else if (body instanceof HugePageSplit h) {
            return h.getGfn();
        } else if (body instanceof Hypercall h && h.getNr() == MapGpaRange.NR) {
            return h.getA0() >>> 12;
        }
        return null;
    }

    /** Software-protected VMs: KVM's source of truth for private-ness is the attribute (docs/design.md §4). */
    private static Boolean attributeDecides(VmView vm, long gfn) {
        return switch (vm.type()) {
            case SW_PROTECTED -> vm.attributePrivate(gfn);
            default -> null;
        };
    }
}
