package dev.faultline.analyser.topology;

import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.events.Event;
import dev.faultline.events.VmCreated;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A capture that began while the VM ran: the collector attaches a VM of unknown type at its first event.
 * What happened before is unknown, so the rules cannot tell and must not fire for it: an unknown type is no
 * violation by itself, and a rule that looks back for a forerunner stays quiet while its window reaches
 * before the VM was first seen.
 */
class AttachedVmTest {
    static final RuleSet RULES = RuleSet.load(Path.of("../rules"));

    /** The VMM's vCPU thread 101 is running a guest when the capture starts at 5 s. */
    static List<String> running() {
        List<String> l = new ArrayList<>();
        l.add(line(101, "5.000000", "kvm_exit: vcpu 0 reason npf rip 0xfff0 info1 0x0000000200000006 info2 0x00000000fee00000 intr_info 0x00000000 error_code 0x00000000"));
        // an SNP-style private fault (bit 49): on a VM of unknown type that proves nothing
        l.add(line(101, "5.000001", "kvm_page_fault: vcpu 0 rip 0xfff0 address 0x0000000000100000 error_code 0x2000000000004"));
        return l;
    }

    static String attributes(String ts) {
        return line(100, ts, "faultline_set_memory_attributes: vmfd 5 address 0x100000 size 0x1000 attributes 0x8 flags 0x0 ret 0");
    }

    @Test
    void anUnknownTypeAndMissingHistoryRaiseNothing() {
        List<String> l = running();
        l.add(attributes("5.500000")); // within 1 s of the first event: a request may have preceded the capture
        List<Event> events = Traces.events(l);
        assertThat(events.get(0).getBody()).isInstanceOfSatisfying(VmCreated.class, v -> assertThat(v.getAttached()).isTrue());
        assertThat(Traces.analyse(RULES, events)).isEmpty();
    }

    /** Once the look-back window lies inside the capture, the same rule decides as for any VM. */
    @Test
    void aWindowInsideTheCaptureIsJudgedAsUsual() {
        List<String> l = running();
        l.add(attributes("7.000000"));
        List<Alert> alerts = Traces.analyse(RULES, Traces.events(l));
        assertThat(alerts).extracting(Alert::getRule).containsExactly("host-initiated-conversion");
    }

    @Test
    void theQueryStateSaysAttached() {
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            List<Event> events = Traces.events(running());
            events.forEach(a::process);
            String vm = events.get(0).getHeader().getVm();
            assertThat(vm).isEqualTo("lab/100@5.000000");
            assertThat(a.vmState(vm).attached).isTrue();
            assertThat(a.vmState(vm).vmType).isEqualTo("UNKNOWN");
        }
    }
}
