package dev.faultline.analyser.alerts;

import dev.faultline.alerts.Alert;
import dev.faultline.serde.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds repeats of an alert (same rule, VM and GFN range) within a window into one alert with a
 * count (SPEC 4). The window runs on the analyser's wall clock, so a storm is summarised even if
 * the VM falls silent.
 */
public final class AlertFolder {
    private static final AvroSerde<Alert> SERDE = AvroSerde.alerts();

    private final KeyValueStore<String, AlertFold> folds;
    private final long windowMs;

    public AlertFolder(KeyValueStore<String, AlertFold> folds, long windowMs) {
        this.folds = folds;
        this.windowMs = windowMs;
    }

    /** A new alert: emitted now if it is the first of its kind in the window, else counted. */
    public void offer(Alert alert, long nowWallMs, Consumer<Alert> emit) {
        String key = alert.getRule() + "|" + alert.getVm() + "|" + alert.getGfnStart() + "|" + alert.getGfnEnd();
        AlertFold f = folds.get(key);
        if (f != null && nowWallMs - f.firstWallMs < windowMs) {
            f.count++;
            f.lastKernelTsNs = alert.getLastKernelTsNs();
            folds.put(key, f);
            return;
        }
        if (f != null) {
            summary(f).ifPresent(emit);
        }
        AlertFold fresh = new AlertFold();
        fresh.alert = SERDE.encode(alert);
        fresh.count = 1;
        fresh.lastKernelTsNs = alert.getLastKernelTsNs();
        fresh.firstWallMs = nowWallMs;
        folds.put(key, fresh);
        emit.accept(alert);
    }

    /** Closes every window that has run its time: emits the repeats' summaries, forgets the folds. */
    public void closeWindows(long nowWallMs, Consumer<Alert> emit) {
        List<String> done = new ArrayList<>();
        try (KeyValueIterator<String, AlertFold> it = folds.all()) {
            while (it.hasNext()) {
                KeyValue<String, AlertFold> e = it.next();
                if (nowWallMs - e.value.firstWallMs >= windowMs) {
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
        java.util.Map<String, Alert> byId = new java.util.LinkedHashMap<>();
        records.forEach(a -> byId.put(a.getAlertId(), a));
        return new ArrayList<>(byId.values());
    }

    private static java.util.Optional<Alert> summary(AlertFold f) {
        if (f.count <= 1) {
            return java.util.Optional.empty();
        }
        Alert a = SERDE.decode(f.alert);
        a.setCount(f.count);
        a.setLastKernelTsNs(f.lastKernelTsNs);
        a.setMessage(a.getMessage() + " (" + f.count + " times)");
        return java.util.Optional.of(a);
    }
}
