package dev.faultline.analyser.enrich;

import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmView;
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
                            Map<Class<?>, Object> memo, Map<String, Object> fieldValues) {

    public EnrichedEvent(Event event, VmView vm, VcpuContext vcpu, Long gfn, Long gfnLast, Boolean faultPrivate) {
        this(event, vm, vcpu, gfn, gfnLast, faultPrivate, new HashMap<>(), new HashMap<>());
    }

    /**
     * The rule fields read so far for this event, by name: a field is computed once per event, whichever
     * and however many rules read it (every field is a function of the event and the state before it).
     */
    @Override
    public Map<String, Object> fieldValues() {
        return fieldValues;
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
