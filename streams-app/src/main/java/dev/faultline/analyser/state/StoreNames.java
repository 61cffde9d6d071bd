package dev.faultline.analyser.state;

/**
 * The analyser's state store names, named once: the topology creates the stores, the queries read them, and
 * their changelog topics are named after them ({@code faultline-analyser-<store>-changelog}).
 */
public final class StoreNames {
    /** Kafka Streams' application id: the consumer group, and the prefix of every changelog topic. */
    public static final String APPLICATION_ID = "faultline-analyser";
    public static final String VM_STATE = "vm-state";
    public static final String VCPU = "vcpu-context";
    public static final String INTERVALS = "gfn-intervals";
    public static final String RULE_WINDOWS = "rule-windows";
    public static final String FOLDS = "alert-folds";
    public static final String HISTORY = "attribute-history";
    public static final String ALERTS = "recent-alerts";
    public static final String MEMSLOTS = "memslots";

    private StoreNames() {
    }
}
