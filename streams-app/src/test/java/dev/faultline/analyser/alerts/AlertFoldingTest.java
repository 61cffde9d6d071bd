package dev.faultline.analyser.alerts;

import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.topology.Traces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Repeats of one alert within the window are one alert with a count, under one stable id. */
class AlertFoldingTest {

    static List<String> snpWithPrivatePage() {
        List<String> l = new ArrayList<>();
        l.add(line(100, "1.1", "faultline_create_vm: fd 3 type 4 ret 5"));
        l.add(line(100, "1.2", "faultline_create_guest_memfd: vmfd 5 size 0x400000 flags 0x0 ret 6 ino 0x77"));
        l.add(line(100, "1.3", "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x200000 uaddr 0x7f0000000000 gmem_fd 6 gmem_offset 0x0 ret 0"));
        l.add(line(100, "1.4", "faultline_set_memory_attributes: vmfd 5 address 0x100000 size 0x200000 attributes 0x8 flags 0x0 ret 0"));
        return l;
    }

    @Test
    void fiveHostReadsOfOnePrivatePageAreOneAlertCountedFive() {
        List<String> l = snpWithPrivatePage();
        for (int i = 0; i < 5; i++) {
            l.add(line(100, "2." + i, "mm_filemap_fault: dev=0:16 ino=77 ofs=65536"));
        }
        l.add(line(100, "3.0", "mm_filemap_fault: dev=0:16 ino=77 ofs=69632"));
        List<Alert> records = Traces.analyse(RuleSet.load(Path.of("../rules")).only("shared-access-to-private"),
                Traces.events(l));
        // the first occurrence of each page at once, then the first page's fold with its count
        assertThat(records).extracting(Alert::getCount).containsExactly(1, 1, 5);
        List<Alert> alerts = AlertFolder.latestPerId(records);
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).getCount()).isEqualTo(5);
        assertThat(alerts.get(0).getGfnStart()).isEqualTo(0x110L);
        assertThat(alerts.get(0).getMessage()).endsWith("(5 times)");
        assertThat(alerts.get(0).getLastKernelTsNs()).isGreaterThan(alerts.get(0).getFirstKernelTsNs());
        assertThat(alerts.get(1).getCount()).isEqualTo(1);
        assertThat(records.get(0).getAlertId()).isEqualTo(records.get(2).getAlertId());
    }

    /**
     * A guest's flood of different alerts: 350 malformed conversion requests, each for another range, on
     * one VM within one 10 s window of its time, then 5 more in the next window. The first 100 go out one
     * by one, the other 250 as one budget alert counted 250; the next window has its own budget.
     */
    @Test
    void aFloodOfDistinctAlertsIsCappedPerRuleAndVmByABudgetAlert() {
        List<String> l = snpWithPrivatePage();
        l.add(line(100, "1.5", "faultline_create_vcpu: vmfd 5 id 0 ret 7"));
        l.add(line(101, "1.6", "sys_ioctl(fd: 7, cmd: 0xae80, arg: 0)"));
        for (int i = 0; i < 355; i++) {
            String ts = i < 350 ? String.format("2.%06d", i) : String.format("13.%06d", i);
            l.add(line(101, ts, "kvm_hypercall: nr 0xc a0 0x" + Long.toHexString((2L * i + 1) << 12)
                    + " a1 0x8000000000000000 a2 0x10 a3 0x0"));
        }
        List<Alert> records = Traces.analyse(RuleSet.load(Path.of("../rules")).only("malformed-conversion-request"),
                Traces.events(l));
        List<Alert> alerts = AlertFolder.latestPerId(records);
        List<Alert> budget = alerts.stream().filter(a -> a.getMessage().startsWith("alert budget")).toList();
        assertThat(budget).singleElement().satisfies(b -> {
            assertThat(b.getCount()).isEqualTo(250);
            assertThat(b.getGfnStart()).isNull();
            assertThat(b.getRule()).isEqualTo("malformed-conversion-request");
            assertThat(b.getMessage()).contains("more than 100 alerts").contains("a0 0xc9000"); // the 101st request
        });
        assertThat(alerts).hasSize(100 + 1 + 5);
        assertThat(records.stream().filter(a -> a.getAlertId().equals(budget.get(0).getAlertId())))
                .as("sent when it opened, and again with its final count").extracting(Alert::getCount).containsExactly(1, 250);
    }
}
