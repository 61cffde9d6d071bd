package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import dev.faultline.alerts.Priority;
import java.util.List;
import java.util.Map;

final class TestAlerts {
    private TestAlerts() {
    }

    static Alert alert(String id, String rule, Priority p) {
        return Alert.newBuilder().setAlertId(id).setRule(rule).setPriority(p).setVm("h/1/5@1.0").setHost("h")
                .setGfnStart(0x200L).setGfnEnd(0x200L).setMessage("m " + id).setTags(List.of("t"))
                .setFirstKernelTsNs(1).setLastKernelTsNs(1)
                .setEvidence(List.of(new Evidence(7L, "Mmio", 1L, "mmio write"))).setState(Map.of("k", "v")).build();
    }
}
