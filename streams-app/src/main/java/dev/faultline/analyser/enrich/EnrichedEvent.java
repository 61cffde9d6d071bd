package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.Event;

/**
 * An event with the state it happened in: the VM's view (type, memslots, attributes) and the
 * vCPU's recent context, plus facts derived once for all rules.
 *
 * @param gfn           the GFN the event touches, when it touches one
 * @param faultPrivate  for page faults and the MMIO after them: whether the vCPU's last fault on
 *                      this GFN was private (null when unknown)
 */
public record EnrichedEvent(Event event, VmView vm, VcpuContext vcpu, Long gfn, Boolean faultPrivate) {

    public Object body() {
        return event.getBody();
    }

    public long seq() {
        return event.getHeader().getSeq();
    }
}
