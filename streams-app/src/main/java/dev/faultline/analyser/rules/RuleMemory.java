package dev.faultline.analyser.rules;

/** Where time-aware rules keep their per-VM windows (a state store in the analyser). */
public interface RuleMemory {

    RuleWindow load(String rule, String vm);

    void save(String rule, String vm, RuleWindow window);

    /** Whether this rule remembers anything for this VM (a window to close or a pending follow-up). */
    boolean hasPending(String rule, String vm);

    /** For stateless callers: nothing is remembered. */
    RuleMemory NONE = new RuleMemory() {
        @Override
        public RuleWindow load(String rule, String vm) {
            return new RuleWindow();
        }

        @Override
        public void save(String rule, String vm, RuleWindow window) {
        }

        @Override
        public boolean hasPending(String rule, String vm) {
            return false;
        }
    };
}
