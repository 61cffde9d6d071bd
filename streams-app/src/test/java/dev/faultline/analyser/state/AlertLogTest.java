package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import dev.faultline.alerts.Priority;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertLogTest {
    @TempDir
    Path dir;
    KeyValueStore<Bytes, byte[]> kv;

    @BeforeEach
    void open() {
        kv = RocksStores.open(dir, "alerts");
    }

    @AfterEach
    void close() {
        kv.close();
    }

    static Alert alert(String vm, String id, String rule, long firstTs, int count) {
        return Alert.newBuilder().setAlertId(id).setRule(rule).setPriority(Priority.ERROR).setVm(vm).setHost("h")
                .setMessage("m " + id).setCount(count).setFirstKernelTsNs(firstTs).setLastKernelTsNs(firstTs + count)
                .setEvidence(List.of(new Evidence(firstTs, "Mmio", firstTs, "mmio write"))).setState(Map.of()).build();
    }

    @Test
    void newestFirstPerVmAndAFoldSummaryReplacesItsFirstEmission() {
        AlertLog log = new AlertLog(kv);
        VmState a = new VmState();
        assertThat(log.record(a, alert("vm-a", "1", "r1", 10, 1))).isTrue();
        log.record(a, alert("vm-a", "2", "r2", 20, 1));
        log.record(new VmState(), alert("vm-a2", "3", "r1", 15, 1)); // a VM whose id extends the other's
        log.record(a, alert("vm-a", "1", "r1", 10, 5));             // the summary of alert 1's repeats
        assertThat(log.latest("vm-a", 10)).extracting(Alert::getAlertId).containsExactly("2", "1");
        assertThat(log.latest("vm-a", 10).get(1).getCount()).isEqualTo(5);
        assertThat(log.latest("vm-a", 1)).extracting(Alert::getAlertId).containsExactly("2");
        assertThat(a.alertsPerRule).containsExactlyInAnyOrderEntriesOf(Map.of("r1", 1L, "r2", 1L));
        assertThat(a.alertsKept).isEqualTo(2);
        assertThat(log.latest("vm-a2", 10)).extracting(Alert::getAlertId).containsExactly("3");
    }

    @Test
    void keepsTheLatestAndCountsAll() {
        AlertLog log = new AlertLog(kv);
        VmState s = new VmState();
        for (int i = 0; i < AlertLog.KEEP + 50; i++) {
            log.record(s, alert("vm", "id" + i, "r", -1000 + i, 1));
        }
        assertThat(s.alertsTotal()).isEqualTo(AlertLog.KEEP + 50);
        assertThat(s.alertsKept).isEqualTo(AlertLog.KEEP);
        List<Alert> kept = log.latest("vm", 1000);
        assertThat(kept).hasSize(AlertLog.KEEP);
        assertThat(kept.get(0).getAlertId()).isEqualTo("id" + (AlertLog.KEEP + 49));
        assertThat(kept.get(AlertLog.KEEP - 1).getAlertId()).isEqualTo("id50");
    }
}
