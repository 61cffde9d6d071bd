package dev.faultline.collector.host;

/**
 * One line of {@code faultline doctor}: what was checked, what was found, and what that means for
 * Faultline on this host.
 */
public record Probe(String name, Status status, String detail, String meaning) {

    public enum Status {
        /** Present and working. */
        OK,
        /** Absent: what depends on it does not happen here. */
        MISSING,
        /** Present but limited: Faultline works with less. */
        DEGRADED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Probe ok(String name, String detail, String meaning) {
        return new Probe(name, Status.OK, detail, meaning);
    }

    static Probe missing(String name, String detail, String meaning) {
        return new Probe(name, Status.MISSING, detail, meaning);
    }

    static Probe degraded(String name, String detail, String meaning) {
        return new Probe(name, Status.DEGRADED, detail, meaning);
    }
}
