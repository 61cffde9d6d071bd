package dev.faultline.analyser.topology;

import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest's last requested state per range (docs/design.md §6), as rules read it through req.state. */
class RequestedStateTest {

    @Test
    void lastRequestPerRangeWins(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("r.yaml"), """
                - rule: show-request
                  desc: test
                  condition: evt.type == "PageFault"
                  output: "%req.state"
                  priority: info
                """);
        List<Alert> alerts = Traces.analyse(RuleSet.load(dir), Traces.events(List.of(
                line(100, "1.1", "faultline_create_vm: fd 3 type 4 ret 5"),
                line(101, "2.1", "kvm_hypercall: nr 0xc a0 0x100000 a1 0x10 a2 0x10 a3 0x0"),
                line(101, "2.2", "kvm_hypercall: nr 0xc a0 0x104000 a1 0x2 a2 0x0 a3 0x0"),
                line(101, "2.3", "kvm_hypercall: nr 0xc a0 0x200000 a1 0x8000000000000000 a2 0x10 a3 0x0"),
                line(101, "3.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0x100000 error_code 0x4"),
                line(101, "3.2", "kvm_page_fault: vcpu 0 rip 0x0 address 0x105000 error_code 0x4"),
                line(101, "3.3", "kvm_page_fault: vcpu 0 rip 0x0 address 0x200000 error_code 0x4"))));
        assertThat(alerts).extracting(Alert::getMessage).containsExactly("private", "shared", "none");
    }
}
