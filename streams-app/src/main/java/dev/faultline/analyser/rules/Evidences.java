package dev.faultline.analyser.rules;

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

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public static String describe(Mmio m) {
        return "mmio " + m.getKind().name().toLowerCase().replace('_', '-') + " len " + m.getLen() + " gpa "
                + hex(m.getGpa()) + " val " + hex(m.getValue());
    }
}
