package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.Event;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * An event with the state it happened in: the VM's view (type, memslots, attributes) and the
 * vCPU's recent context, plus facts derived once for all rules.
 *
 * @param gfn           the GFN the event touches, when it touches one
 * @param gfnLast       the last GFN of the range it touches (= gfn for a single page)
 * @param faultPrivate  for page faults and the MMIO after them: whether the vCPU's last fault on
 *                      this GFN was private (null when unknown)
 */
public record EnrichedEvent(Event event, VmView vm, VcpuContext vcpu, Long gfn, Long gfnLast, Boolean faultPrivate,
                            Map<Class<?>, Object> memo) {

    public EnrichedEvent(Event event, VmView vm, VcpuContext vcpu, Long gfn, Long gfnLast, Boolean faultPrivate) {
        this(event, vm, vcpu, gfn, gfnLast, faultPrivate, new HashMap<>());
    }

    /** A group of facts computed at most once per event, and only if a rule asks for it. */
    @SuppressWarnings("unchecked")
    public <T> T facts(Class<T> group, Function<EnrichedEvent, T> compute) {
        Object v = memo.get(group);
        if (v == null && !memo.containsKey(group)) {
            v = compute.apply(this);
            memo.put(group, v);
        }
        return (T) v;
    }

    /** An enriched event whose body's facts are already worked out (by the enricher, once per event). */
    static EnrichedEvent of(Event event, VmView vm, VcpuContext vcpu, BodyFacts body, Long gfn, Long gfnLast,
            Boolean faultPrivate) {
        EnrichedEvent e = new EnrichedEvent(event, vm, vcpu, gfn, gfnLast, faultPrivate);
        e.memo.put(BodyFacts.class, body);
        return e;
    }

    /** What the body touches: its kind, GFN range and guest_memfd pages. */
    public BodyFacts bodyFacts() {
        return facts(BodyFacts.class, x -> BodyFacts.of(x.body()));
    }

    public Object body() {
        return event.getBody();
    }

    public long ts() {
        return event.getHeader().getKernelTsNs();
    }

    public long seq() {
        return event.getHeader().getSeq();
    }
}
