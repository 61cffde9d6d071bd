package dev.faultline.analyser.alerts;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.Finding;
import dev.faultline.analyser.rules.RuleMeta;
import dev.faultline.events.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Turns a rule's finding into the Alert record on faultline.alerts. */
public final class AlertFactory {

    public Alert create(Finding f, RuleMeta meta, Event event) {
        long ts = event.getHeader().getKernelTsNs();
        long firstSeq = f.evidence().isEmpty() ? event.getHeader().getSeq() : f.evidence().get(0).getSeq();
        return Alert.newBuilder()
                .setAlertId(stableId(f.rule(), event.getHeader().getVm(), f.gfnStart(), f.gfnEnd(), firstSeq))
                .setRule(f.rule())
                .setPriority(meta.priority())
                .setVm(event.getHeader().getVm())
                .setHost(event.getHeader().getHost())
                .setGfnStart(f.gfnStart())
                .setGfnEnd(f.gfnEnd())
                .setMessage(f.message())
                .setTags(meta.tags())
                .setCount(1)
                .setFirstKernelTsNs(ts)
                .setLastKernelTsNs(ts)
                .setEvidence(f.evidence())
                .setState(f.state())
                .build();
    }

    /** The id of the budget alert that stands for {@code first} and the alerts after it (AlertFolder). */
    static String budgetId(Alert first) {
        return stableId(first.getRule(), first.getVm() + "|budget|" + first.getAlertId(), null, null, 0);
    }

    /** The same rule, VM, range and first evidence always give the same id (replays, retries). */
    static String stableId(String rule, String vm, Long gfnStart, Long gfnEnd, long firstSeq) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((rule + "|" + vm + "|" + gfnStart + "|" + gfnEnd + "|" + firstSeq).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
