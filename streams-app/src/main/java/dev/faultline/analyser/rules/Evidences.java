package dev.faultline.analyser.rules;

import dev.faultline.analyser.enrich.Hex;
import dev.faultline.alerts.Evidence;
import dev.faultline.events.Event;
import dev.faultline.events.Mmio;

/** Evidence entries: the events (by host sequence number) that make a rule fire. */
public final class Evidences {
    private Evidences() {
    }

    public static Evidence of(Event e, String summary) {
        return new Evidence(e.getHeader().getSeq(), ((org.apache.avro.specific.SpecificRecord) e.getBody())
                .getSchema().getName(), e.getHeader().getKernelTsNs(), summary);
    }

    /** The event's body in one line: its fields, 64-bit values in hex, unset ones left out. */
    public static String summary(Event e) {
        org.apache.avro.specific.SpecificRecord body = (org.apache.avro.specific.SpecificRecord) e.getBody();
        if (body instanceof Mmio m) {
            return describe(m);
        }
        StringBuilder sb = new StringBuilder();
        for (org.apache.avro.Schema.Field f : body.getSchema().getFields()) {
            Object v = body.get(f.pos());
            if (v == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(f.name()).append(' ').append(v instanceof Long l ? hex(l) : v.toString());
        }
        return sb.toString();
    }

    public static String hex(long v) {
        return Hex.of(v);
    }

    public static String describe(Mmio m) {
        return "mmio " + m.getKind().name().toLowerCase().replace('_', '-') + " len " + m.getLen() + " gpa "
                + hex(m.getGpa()) + " val " + hex(m.getValue());
    }
}
