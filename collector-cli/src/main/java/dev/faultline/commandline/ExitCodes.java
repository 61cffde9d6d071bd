package dev.faultline.commandline;

/** Exit codes shared by the commands (docs/design.md §9: check exits 1 on alerts, 2 on unusable input). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ALERTS = 1;
    public static final int UNUSABLE_INPUT = 2;
    /** A long-running command stopped on an error it cannot recover from (e.g. a missing Kafka ACL). */
    public static final int FAILED = 3;

    private ExitCodes() {
    }
}
