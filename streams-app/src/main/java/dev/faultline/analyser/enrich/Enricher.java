package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.Event;
import dev.faultline.events.Mmio;
import dev.faultline.events.PageFault;

/** Derives the facts rules share from the event and the state before it. */
public final class Enricher {

    public EnrichedEvent enrich(Event event, VmView vm, VcpuContext vcpu) {
        Object body = event.getBody();
        BodyFacts facts = BodyFacts.of(body);
        BodyFacts.Gfns gfns = facts.gfns();
        Long gfn = gfns == null ? null : gfns.first();
        Long gfnLast = gfns == null ? null : gfns.last();
        Boolean faultPrivate = null;
        if (body instanceof PageFault f) {
            faultPrivate = f.getPrivate$() != null ? f.getPrivate$() : attributeDecides(vm, gfn);
        } else if (body instanceof Mmio && vcpu.lastFaultGfn != null && vcpu.lastFaultGfn.longValue() == gfn) {
            faultPrivate = vcpu.lastFaultPrivate;
        }
        return EnrichedEvent.of(event, vm, vcpu, facts, gfn, gfnLast, faultPrivate);
    }

    /** Software-protected VMs: KVM's source of truth for private-ness is the attribute (docs/design.md §4). */
    private static Boolean attributeDecides(VmView vm, long gfn) {
        return switch (vm.type()) {
            case SW_PROTECTED -> vm.attributePrivate(gfn);
            default -> null;
        };
    }
}
