package dev.faultline.cli;

/** Exit codes shared by the commands (docs/design.md §9: check exits 1 on alerts, 2 on unusable input). */
final class ExitCodes {
    static final int OK = 0;
    static final int ALERTS = 1;
    static final int UNUSABLE_INPUT = 2;
    /** A long-running command stopped on an error it cannot recover from (e.g. a missing Kafka ACL). */
    static final int FAILED = 3;

    private ExitCodes() {
    }
}
