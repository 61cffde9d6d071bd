package dev.faultline.analyser.rules;

/** Where time-aware rules keep their per-VM windows (a state store in the analyser). */
public interface RuleMemory {

    RuleWindow load(String rule, String vm);

    void save(String rule, String vm, RuleWindow window);

    /** For stateless callers: nothing is remembered. */
    RuleMemory NONE = new RuleMemory() {
        @Override
        public RuleWindow load(String rule, String vm) {
            return new RuleWindow();
        }

        @Override
        public void save(String rule, String vm, RuleWindow window) {
        }
    };
}
