package dev.faultline.analyser.rules;

import com.google.common.primitives.UnsignedLong;
import dev.cel.runtime.CelEvaluationException;
import dev.faultline.alerts.Evidence;
import dev.faultline.analyser.enrich.EnrichedEvent;
import dev.faultline.analyser.rules.fields.Field;
import dev.faultline.analyser.rules.fields.FieldValues;
import dev.faultline.events.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * A rule loaded from a rule file: a CEL condition over the field catalogue, exceptions that
 * silence it, an output template, the alert's GFN range. An evaluation error (a field the event does
 * not have, outside a guard) counts as not firing and is counted per rule.
 */
public final class CelRule implements Rule {
    private static final Pattern FIELD_REF = Pattern.compile("%([a-z_]+\\.[a-z_0-9]+)");

    private final RuleMeta meta;
    private final Condition condition;
    private final Map<String, Condition> exceptions;
    private final String output;
    private final Condition gfnStart;
    private final Condition gfnEnd;
    private final List<Field> referenced;
    private final List<Field> stateFields;
    private final boolean faultEvidence;
    private final List<Example> examples;
    private final Timing timing;
    private final AtomicLong evalErrors = new AtomicLong();
    /** Per event type of the schema: can the condition hold; can the timing's other condition hold (see {@link #canMatch}). */
    private final Map<String, Boolean> conditionTypes;
    private final Map<String, Boolean> otherTypes;

    CelRule(RuleMeta meta, Condition condition, Map<String, Condition> exceptions, String output,
            Condition gfnStart, Condition gfnEnd, List<Field> referenced, List<Example> examples,
            Timing timing) {
        this.meta = meta;
        this.condition = condition;
        this.exceptions = exceptions;
        this.output = output;
        this.gfnStart = gfnStart;
        this.gfnEnd = gfnEnd;
        this.referenced = referenced;
        this.stateFields = referenced.stream().filter(f -> !f.group().equals("evt")).toList();
        this.faultEvidence = referenced.stream().anyMatch(f -> f.group().equals("fault"));
        this.examples = examples;
        this.timing = timing;
        this.conditionTypes = byType(condition);
        this.otherTypes = timing == null || timing.other() == null ? Map.of() : byType(timing.other());
    }

    /** Whether the condition can hold, for every event type of the schema: computed once, read per event. */
    private static Map<String, Boolean> byType(Condition c) {
        Map<String, Boolean> out = new HashMap<>();
        for (Schema body : Event.getClassSchema().getField("body").schema().getTypes()) {
            out.put(body.getName(), canHold(c, body.getName()));
        }
        return Map.copyOf(out);
    }

    @Override
    public String id() {
        return meta.id();
    }

    public RuleMeta meta() {
        return meta;
    }

    public List<Example> examples() {
        return examples;
    }

    /** The same rule with other metadata (e.g. enabled, to run a disabled rule's examples). */
    CelRule withMeta(RuleMeta m) {
        return new CelRule(m, condition, exceptions, output, gfnStart, gfnEnd, referenced, examples, timing);
    }

    /** Every compiled expression of the rule: condition, exceptions, the timing's other condition, the GFN range. */
    List<Condition> expressions() {
        List<Condition> all = new ArrayList<>();
        all.add(condition);
        all.addAll(exceptions.values());
        if (timing != null && timing.other() != null) {
            all.add(timing.other());
        }
        if (gfnStart != null) {
            all.add(gfnStart);
        }
        if (gfnEnd != null) {
            all.add(gfnEnd);
        }
        return all;
    }

    /** Evaluations that raised an error (treated as not firing). */
    public long evalErrors() {
        return evalErrors.get();
    }

    @Override
    public boolean concerns(String type) {
        if (canMatch(condition, conditionTypes, type)) {
            return true;
        }
        // a follow-up rule sees every event while something waits: to see its window close
        return timing != null && (timing.kind() == Timing.Kind.FOLLOWED_BY
                || timing.other() != null && canMatch(timing.other(), otherTypes, type));
    }

    @Override
    public List<Finding> evaluate(EnrichedEvent e, RuleMemory memory) {
        String type = ((org.apache.avro.specific.SpecificRecord) e.body()).getSchema().getName();
        boolean mayMatch = canMatch(condition, conditionTypes, type);
        if (timing == null) {
            return mayMatch && matches(e) ? List.of(finding(e, List.of())) : List.of();
        }
        String vm = e.event().getHeader().getVm();
        boolean otherMayMatch = timing.other() != null && canMatch(timing.other(), otherTypes, type);
        // Only a follow-up rule needs every event while something waits: to see its window close.
        boolean mustLook = mayMatch || otherMayMatch
                || (timing.kind() == Timing.Kind.FOLLOWED_BY && memory.hasPending(meta.id(), vm));
        if (!mustLook) {
            return List.of();
        }
        RuleWindow w = memory.load(meta.id(), vm);
        List<Finding> out = new ArrayList<>();
        long now = e.ts();
        boolean changed = false;
        switch (timing.kind()) {
            case THRESHOLD -> {
                if (mayMatch && matches(e)) {
                    w.times.removeIf(t -> now - t > timing.withinNs());
                    w.add(w.times, now);
                    if (w.times.size() > timing.count()) {
                        out.add(finding(e, List.of()));
                        w.times.clear();
                    }
                    changed = true;
                }
            }
            case FOLLOWED_BY -> {
                for (RuleWindow.Marker p : List.copyOf(w.pending)) {
                    if (now - p.ts > timing.withinNs()) {
                        w.pending.remove(p);
                        out.add(expired(p, e));
                        changed = true;
                    }
                }
                if (otherMayMatch && !w.pending.isEmpty() && test(timing.other(), e)) {
                    changed |= w.pending.removeIf(p -> !timing.matchGfn() || p.overlaps(e.gfn(), e.gfnLast()));
                }
                if (mayMatch && matches(e)) {
                    w.add(w.pending, marker(e, true));
                    changed = true;
                }
            }
            case PRECEDED_BY -> {
                changed = trimExpired(w.recent, now);
                if (mayMatch && !beforeAttach(e, now) && matches(e) && w.recent.stream().noneMatch(r -> now - r.ts <= timing.withinNs()
                        && (!timing.matchGfn() || r.overlaps(e.gfn(), e.gfnLast())))) {
                    out.add(finding(e, List.of()));
                }
                if (otherMayMatch && test(timing.other(), e)) {
                    if (w.recent.size() >= RuleWindow.CAP) {
                        w.recent.removeIf(r -> now - r.ts > timing.withinNs()); // only the live ones count to the cap
                    }
                    w.add(w.recent, marker(e, false));
                    changed = true;
                }
            }
            default -> throw new IllegalStateException();
        }
        if (changed) {
            memory.save(meta.id(), vm, w);
        }
        return out;
    }

    /**
     * Whether the look-back window of a preceded-by rule reaches before a VM attached mid-stream was first seen:
     * what it must have been preceded by may be in the part the capture missed, so the rule cannot tell.
     */
    private boolean beforeAttach(EnrichedEvent e, long now) {
        var s = e.vm().state();
        return s.attached && now - s.firstTsNs < timing.withinNs();
    }

    /**
     * Drops the expired head of a list in arrival order: one step per event, where a scan of the whole
     * list per event was the largest part of a preceded-by rule's cost. An entry that arrived out of
     * timestamp order may outlive its window behind a live one; matching skips it.
     */
    private boolean trimExpired(List<RuleWindow.Marker> list, long now) {
        int expired = 0;
        while (expired < list.size() && now - list.get(expired).ts > timing.withinNs()) {
            expired++;
        }
        list.subList(0, expired).clear();
        return expired > 0;
    }

    /**
     * Whether {@code p} can hold for an event of this type: evaluated once per type with only evt.type
     * bound. CEL's && and || absorb the unbound fields' errors only where the other side decides, so a
     * plain false here does not depend on any other field: the rule can never fire for this type.
     */
    private static boolean canMatch(Condition c, Map<String, Boolean> byType, String type) {
        Boolean known = byType.get(type);
        return known != null ? known : canHold(c, type);
    }

    private static boolean canHold(Condition c, String type) {
        try {
            return !Boolean.FALSE.equals(c.program().eval(name -> name.equals("evt.type") ? Optional.of(type) : Optional.empty()));
        } catch (CelEvaluationException ex) {
            return true;
        }
    }

    /** The condition holds and no exception does. */
    private boolean matches(EnrichedEvent e) {
        if (!test(condition, e)) {
            return false;
        }
        for (Condition exception : exceptions.values()) {
            if (test(exception, e)) {
                return false;
            }
        }
        return true;
    }

    private Finding finding(EnrichedEvent e, List<Evidence> before) {
        Long start = gfn(gfnStart, e);
        Long end = gfnEnd == null ? start : gfn(gfnEnd, e);
        List<Evidence> evidence = new ArrayList<>(before);
        if (faultEvidence && Boolean.TRUE.equals(value("fault.on_gfn", e))) {
            evidence.add(new Evidence(e.vcpu().lastFaultSeq, "PageFault", e.vcpu().lastFaultTsNs,
                    "last fault on gfn " + Evidences.hex(e.vcpu().lastFaultGfn) + " error_code "
                            + Evidences.hex(e.vcpu().lastFaultErrorCode) + (e.faultPrivate() == null ? ""
                                    : e.faultPrivate() ? " (private)" : " (shared)")));
        }
        evidence.add(Evidences.of(e.event(), Evidences.summary(e.event())));
        Map<String, String> state = new LinkedHashMap<>();
        for (Field f : stateFields) {
            state.put(f.name(), format(value(f.name(), e)));
        }
        return new Finding(meta.id(), start, end == null ? start : end, render(e), evidence, state);
    }

    /** An opening event whose follow-up did not come in time; the event that showed it is evidence too. */
    private Finding expired(RuleWindow.Marker p, EnrichedEvent now) {
        List<Evidence> evidence = List.of(new Evidence(p.seq, p.type, p.ts, p.summary),
                new Evidence(now.seq(), Evidences.of(now.event(), "").getType(), now.ts(),
                        "first event " + (now.ts() - p.ts) / 1_000 + " us later, with no follow-up"));
        String msg = p.summary + ": no follow-up within " + timing.withinNs() / 1_000_000 + " ms";
        return new Finding(meta.id(), p.first, p.last, msg, evidence,
                Map.of("waited_us", String.valueOf((now.ts() - p.ts) / 1_000)));
    }

    /** An event to remember; its rendered output only when a later alert will quote it. */
    private RuleWindow.Marker marker(EnrichedEvent e, boolean withSummary) {
        RuleWindow.Marker m = new RuleWindow.Marker();
        m.first = e.gfn();
        m.last = e.gfnLast();
        m.seq = e.seq();
        m.ts = e.ts();
        m.type = Evidences.of(e.event(), "").getType();
        m.summary = withSummary ? render(e) : null;
        return m;
    }

    private boolean test(Condition c, EnrichedEvent e) {
        Object v = c.evaluate(FieldValues.of(e));
        if (v == DirectExpression.ERROR) {
            evalErrors.incrementAndGet();
            return false;
        }
        return Boolean.TRUE.equals(v);
    }

    /** The GFN an expression of the rule's gfn gives; null where it does not apply to this event (an error). */
    private Long gfn(Condition c, EnrichedEvent e) {
        if (c == null) {
            return e.gfn();
        }
        Object v = c.evaluate(FieldValues.of(e));
        return v instanceof UnsignedLong u ? u.longValue() : v instanceof Long l ? l : null;
    }

    /** A field's value for this event, computed once per event, whichever and however many rules read it. */
    private static Object value(String name, EnrichedEvent e) {
        return FieldValues.of(e).get(name);
    }

    private String render(EnrichedEvent e) {
        Matcher m = FIELD_REF.matcher(output);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(format(value(m.group(1), e))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static String format(Object v) {
        if (v == null) {
            return "<NA>";
        }
        if (v instanceof UnsignedLong u) {
            return "0x" + Long.toHexString(u.longValue());
        }
        return v.toString();
    }

    /** The %field references of an output template, for validation. */
    static List<String> outputFields(String output) {
        List<String> out = new ArrayList<>();
        Matcher m = FIELD_REF.matcher(output);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
