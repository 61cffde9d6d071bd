package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertFactory;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.enrich.EnrichedEvent;
import dev.faultline.analyser.enrich.Enricher;
import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.rules.Finding;
import dev.faultline.analyser.rules.Rule;
import dev.faultline.analyser.rules.RuleMemory;
import dev.faultline.analyser.rules.RuleWindow;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.AlertLog;
import dev.faultline.analyser.state.AttributeHistory;
import dev.faultline.analyser.state.IntervalStore;
import dev.faultline.analyser.state.MemslotStore;
import dev.faultline.analyser.state.StateUpdater;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.state.VcpuContext;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmKeys;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.Event;
import dev.faultline.events.EventHeader;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per event: read the VM's state, enrich, evaluate the rules against the state as it was, emit
 * alerts, then apply the event to the state. Events of one VM arrive in order (key = VM id).
 */
final class AnalyserProcessor implements Processor<String, Event, String, Alert> {
    private final Supplier<RuleSet> rules;
    private final long foldWindowMs;
    private final AnalyserCounters counters;
    private final Enricher enricher = new Enricher();
    private final StateUpdater updater = new StateUpdater();
    private final AlertFactory alerts = new AlertFactory();
    private final VmKeys.Cache keys = new VmKeys.Cache();
    private final RuleMemory memory = new WindowMemory();

    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, VmState> vmStates;
    private KeyValueStore<String, VcpuContext> vcpus;
    private KeyValueStore<String, RuleWindow> windows;
    private AlertLog alertLog;
    private IntervalStore intervals;
    private AttributeHistory history;
    private MemslotStore memslots;

    private AlertFolder folder;

    AnalyserProcessor(Supplier<RuleSet> rules, long foldWindowMs, AnalyserCounters counters) {
        this.rules = rules;
        this.foldWindowMs = foldWindowMs;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.vmStates = context.getStateStore(StoreNames.VM_STATE);
        this.vcpus = context.getStateStore(StoreNames.VCPU);
        this.windows = context.getStateStore(StoreNames.RULE_WINDOWS);
        KeyValueStore<Bytes, byte[]> alertKv = context.getStateStore(StoreNames.ALERTS);
        this.alertLog = new AlertLog(alertKv);
        KeyValueStore<Bytes, byte[]> kv = context.getStateStore(StoreNames.INTERVALS);
        this.intervals = new IntervalStore(kv);
        KeyValueStore<Bytes, byte[]> hist = context.getStateStore(StoreNames.HISTORY);
        this.history = new AttributeHistory(hist);
        KeyValueStore<Bytes, byte[]> slots = context.getStateStore(StoreNames.MEMSLOTS);
        this.memslots = new MemslotStore(slots);
        this.folder = new AlertFolder(context.getStateStore(StoreNames.FOLDS), foldWindowMs,
                AnalyserTopology.ALERT_BUDGET);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> folder.closeWindows(now, this::forward));
    }

    private void forward(Alert alert) {
        counters.alert(alert.getRule());
        String vm = alert.getVm();
        VmState state = stateOf(vm);
        if (alertLog.record(state, alert)) {
            vmStates.put(vm, state);
        }
        context.forward(new org.apache.kafka.streams.processor.api.Record<>(alert.getVm(), alert,
                context.currentSystemTimeMs()));
    }

    /** The VM's state (new when the VM is new); the store keeps it live between commits. */
    private VmState stateOf(String vm) {
        VmState state = vmStates.get(vm);
        return state != null ? state : new VmState();
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, Event> record) {
        Event event = record.value();
        if (event == null) {
            return;
        }
        String type = event.getBody().getClass().getSimpleName(); // the Avro record's name
        counters.event(type);
        EventHeader h = event.getHeader();
        String vm = h.getVm();
        VmState state = stateOf(vm);
        VmKeys vmKeys = keys.of(vm);
        String vcpuKey = vmKeys.vcpu(h.getVcpu(), h.getTid());
        VcpuContext vcpu = vcpus.get(vcpuKey);
        if (vcpu == null) {
            vcpu = new VcpuContext();
        }
        VmView view = new VmView(vmKeys, state, intervals, history, memslots);

        EnrichedEvent enriched = enricher.enrich(event, view, vcpu);
        RuleSet ruleSet = rules.get();
        for (Rule rule : ruleSet.forType(type)) {
            for (Finding f : rule.evaluate(enriched, memory)) {
                folder.offer(alerts.create(f, ruleSet.meta(rule.id()), event), context.currentSystemTimeMs(), this::forward);
            }
        }

        updater.apply(event, enriched.bodyFacts(), view, vcpu);
        // live stores: a put marks the key, the object is written through once per commit
        vmStates.put(vm, state);
        vcpus.put(vcpuKey, vcpu);
    }

    /** Rule windows in their store, under keys made once per VM and rule. */
    private final class WindowMemory implements RuleMemory {
        @Override
        public RuleWindow load(String rule, String vmId) {
            RuleWindow w = windows.get(keys.of(vmId).window(rule));
            return w == null ? new RuleWindow() : w;
        }

        @Override
        public void save(String rule, String vmId, RuleWindow w) {
            String key = keys.of(vmId).window(rule);
            if (w.times.isEmpty() && w.pending.isEmpty() && w.recent.isEmpty()) {
                windows.delete(key);
            } else {
                windows.put(key, w);
            }
        }

        @Override
        public boolean hasPending(String rule, String vmId) {
            return windows.get(keys.of(vmId).window(rule)) != null; // an empty window is deleted
        }
    }
}
