package dev.faultline.analyser.alerts;

import dev.faultline.alerts.Alert;
import dev.faultline.serde.AvroSerde;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds repeats of an alert (same rule, VM and GFN range) within a window into one alert with a
 * count (docs/design.md §7). The window runs on the analyser's wall clock, so a storm is summarised even if
 * the VM falls silent.
 *
 * <p>A guest can also raise many different alerts (100 000 malformed conversion requests, each for
 * another range). Past {@code budget} distinct alerts of one rule on one VM within a window of the
 * VM's own (kernel) time, the rest are not sent one by one: they are counted into one budget alert of
 * that rule and VM (no GFN range; its message quotes the first alert it stands for), sent at once and
 * sent again with its count when the fold windows close and when the next window begins. Kernel time,
 * not the analyser's clock, decides what is over budget, so {@code check} and the streaming analyser
 * send the same alerts.
 */
public final class AlertFolder {
    private static final AvroSerde<Alert> SERDE = AvroSerde.alerts();
    /** Keys of budget entries; '#' is in no rule id, so they never meet an alert's fold key. */
    private static final String BUDGET = "#budget|";
    private static final String EXCESS = "#excess|";
    /** Wall time after which a budget nobody spent from is forgotten. */
    static final long IDLE_MS = 3_600_000;

    private final KeyValueStore<String, AlertFold> folds;
    private final long windowMs;
    private final int budget;

    public AlertFolder(KeyValueStore<String, AlertFold> folds, long windowMs, int budget) {
        this.folds = folds;
        this.windowMs = windowMs;
        this.budget = budget;
    }

    /** A new alert: emitted now if it is the first of its kind in the window (and within budget), else counted. */
    public void offer(Alert alert, long nowWallMs, Consumer<Alert> emit) {
        String key = alert.getRule() + "|" + alert.getVm() + "|" + alert.getGfnStart() + "|" + alert.getGfnEnd();
        String ruleVm = alert.getRule() + "|" + alert.getVm();
        // the budget first, for repeats too: what is over it must not depend on when a fold closed
        if (!spend(ruleVm, key, alert.getFirstKernelTsNs(), nowWallMs, emit)) {
            overBudget(EXCESS + ruleVm, alert, nowWallMs, emit);
            return;
        }
        AlertFold f = folds.get(key);
        if (f != null && nowWallMs - f.firstWallMs < windowMs) {
            count(key, f, alert);
            return;
        }
        if (f != null) {
            summary(f).ifPresent(emit);
            folds.delete(key);
        }
        folds.put(key, open(alert, nowWallMs));
        emit.accept(alert);
    }

    private void count(String key, AlertFold f, Alert repeat) {
        f.count++;
        f.lastKernelTsNs = repeat.getLastKernelTsNs();
        folds.put(key, f);
    }

    private static AlertFold open(Alert first, long nowWallMs) {
        AlertFold fresh = new AlertFold();
        fresh.alert = SERDE.encode(first);
        fresh.count = 1;
        fresh.sentCount = 1;
        fresh.lastKernelTsNs = first.getLastKernelTsNs();
        fresh.firstWallMs = nowWallMs;
        return fresh;
    }

    /**
     * Alert {@code key} of a rule on a VM at kernel time {@code tsNs}: true when it is within the budget of
     * its window (a key already counted there is, again), false when the budget is spent. Windows are fixed
     * slices of kernel time; a new one sends the last one's budget alert with its final count.
     */
    private boolean spend(String ruleVm, String alertKey, long tsNs, long nowWallMs, Consumer<Alert> emit) {
        String key = BUDGET + ruleVm;
        AlertFold b = folds.get(key);
        long window = Math.floorDiv(tsNs, windowMs * 1_000_000L) * windowMs * 1_000_000L; // fixed, not from the first alert
        if (b == null || window > b.windowStartNs) {
            AlertFold excess = folds.get(EXCESS + ruleVm);
            if (excess != null) {
                update(excess).ifPresent(emit);
                folds.delete(EXCESS + ruleVm);
            }
            b = new AlertFold(); // a counter only: no alert of its own
            b.windowStartNs = window;
            b.keys = new ArrayList<>();
        } else if (b.keys.contains(alertKey)) {
            return true;
        } else if (b.count >= budget) {
            return false;
        }
        b.count++;
        b.keys.add(alertKey); // at most budget of them
        b.lastWallMs = nowWallMs;
        folds.put(key, b);
        return true;
    }

    /** An alert past the budget: counted into its rule and VM's budget alert, sent when that opens. */
    private void overBudget(String key, Alert alert, long nowWallMs, Consumer<Alert> emit) {
        AlertFold excess = folds.get(key);
        if (excess != null) {
            excess.lastWallMs = nowWallMs;
            count(key, excess, alert);
            return;
        }
        Alert standIn = Alert.newBuilder(alert)
                .setAlertId(AlertFactory.budgetId(alert))
                .setGfnStart(null)
                .setGfnEnd(null)
                .setMessage("alert budget: more than " + budget + " alerts of " + alert.getRule() + " on " + alert.getVm()
                        + " within " + windowMs / 1000 + " s; the rest are counted here, not sent one by one. The first: "
                        + alert.getMessage())
                .build();
        AlertFold fresh = open(standIn, nowWallMs);
        fresh.lastWallMs = nowWallMs;
        folds.put(key, fresh);
        emit.accept(standIn);
    }

    /**
     * Closes every fold window that has run its time: emits the repeats' summaries, forgets the folds.
     * Budget alerts are sent again when their count has grown and kept while their rule and VM alert
     * (their window is the VM's time); a budget untouched for {@link #IDLE_MS} (a VM gone quiet or
     * destroyed) is forgotten, so the store holds the rules and VMs alerting now, not every one ever seen.
     */
    public void closeWindows(long nowWallMs, Consumer<Alert> emit) {
        List<String> done = new ArrayList<>();
        try (KeyValueIterator<String, AlertFold> it = folds.all()) {
            while (it.hasNext()) {
                KeyValue<String, AlertFold> e = it.next();
                boolean idle = nowWallMs - e.value.lastWallMs >= IDLE_MS;
                if (e.key.startsWith(EXCESS)) {
                    AlertFold f = e.value;
                    Optional<Alert> grown = update(f);
                    grown.ifPresent(emit);
                    if (idle) {
                        done.add(e.key);
                    } else if (grown.isPresent()) {
                        folds.put(e.key, f);
                    }
                } else if (e.key.startsWith(BUDGET)) {
                    if (idle) {
                        done.add(e.key);
                    }
                } else if (nowWallMs - e.value.firstWallMs >= windowMs) {
                    summary(e.value).ifPresent(emit);
                    done.add(e.key);
                }
            }
        }
        done.forEach(folds::delete);
    }

    /**
     * One alert per alert id, in first-seen order, each in its latest form (its folded count): how a
     * reader of faultline.alerts sees alerts, since an update re-uses its alert's id.
     */
    public static List<Alert> latestPerId(List<Alert> records) {
        Map<String, Alert> byId = new LinkedHashMap<>();
        records.forEach(a -> byId.put(a.getAlertId(), a));
        return new ArrayList<>(byId.values());
    }

    /** A budget alert whose count grew since it was last sent, with that count (and marked sent). */
    private static Optional<Alert> update(AlertFold f) {
        if (f.count == f.sentCount) {
            return Optional.empty();
        }
        f.sentCount = f.count;
        return summary(f);
    }

    private static Optional<Alert> summary(AlertFold f) {
        if (f.count <= 1) {
            return Optional.empty();
        }
        Alert a = SERDE.decode(f.alert);
        a.setCount(f.count);
        a.setLastKernelTsNs(f.lastKernelTsNs);
        a.setMessage(a.getMessage() + " (" + f.count + " times)");
        return Optional.of(a);
    }
}
