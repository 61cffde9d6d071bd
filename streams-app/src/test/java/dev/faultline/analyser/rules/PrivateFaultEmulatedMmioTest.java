package dev.faultline.analyser.rules;

import static dev.faultline.analyser.topology.Traces.alerts;
import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivateFaultEmulatedMmioTest {

    /** A VM of the given KVM_CREATE_VM type with vCPU 0 running on thread 101. */
    static List<String> vm(int type) {
        List<String> l = new ArrayList<>();
        l.add(line(100, "1.000001", "sys_ioctl(fd: 3, cmd: 0xae01, arg: " + type + ")"));
        l.add(line(100, "1.000002", "sys_ioctl -> 0x5"));
        l.add(line(100, "1.000003", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 0)"));
        l.add(line(100, "1.000004", "sys_ioctl -> 0x7"));
        l.add(line(101, "1.000005", "sys_ioctl(fd: 7, cmd: 0xae80, arg: 0)"));
        return l;
    }

    static List<Alert> run(List<String> setup, String... more) {
        List<String> all = new ArrayList<>(setup);
        all.addAll(List.of(more));
        return alerts("private-fault-emulated-mmio", all.toArray(String[]::new));
    }

    static final String SNP_PRIVATE_FAULT = line(101, "2.000001",
            "kvm_page_fault: vcpu 0 rip 0xffffffff81000000 address 0x0000000000100000 error_code 0x2000000000004");
    static final String MMIO_WRITE = line(101, "2.000002", "kvm_mmio: mmio write len 4 gpa 0x100000 val 0x41");

    @Test
    void firesOnMmioAfterPrivateFaultInSnp() {
        List<Alert> a = run(vm(4), SNP_PRIVATE_FAULT, MMIO_WRITE);
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat(alert.getRule()).isEqualTo("private-fault-emulated-mmio");
            assertThat(alert.getPriority()).isEqualTo(Priority.CRITICAL);
            assertThat(alert.getGfnStart()).isEqualTo(0x100L);
            assertThat(alert.getGfnEnd()).isEqualTo(0x100L);
            assertThat(alert.getEvidence()).extracting(e -> e.getType()).containsExactly("PageFault", "Mmio");
            assertThat(alert.getMessage()).contains("0x100000").contains("SEV_SNP").contains("last fault private true");
        });
    }

    @Test
    void firesOnceForAReadThatWentToUserspace() {
        List<String> setup = new ArrayList<>(vm(4));
        setup.add(line(100, "1.5", "faultline_set_memory_attributes: vmfd 5 address 0x100000 size 0x200000 attributes 0x8 flags 0x0 ret 0"));
        List<Alert> a = run(setup,
                line(101, "2.1", "kvm_mmio: mmio unsatisfied-read len 4 gpa 0x101000 val 0x0"),
                line(101, "2.2", "kvm_mmio: mmio read len 4 gpa 0x101000 val 0x5a5a5a5a"));
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat(alert.getGfnStart()).isEqualTo(0x101L);
            assertThat(alert.getMessage()).contains("attributes 0x8");
        });
    }

    @Test
    void firesInSoftwareProtectedVmFromAttributes() {
        List<String> setup = new ArrayList<>(vm(1));
        setup.add(line(100, "1.5", "faultline_set_memory_attributes: vmfd 5 address 0x100000 size 0x1000 attributes 0x8 flags 0x0 ret 0"));
        List<Alert> a = run(setup, line(101, "2.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0x100000 error_code 0x4"), MMIO_WRITE);
        assertThat(a).singleElement().satisfies(alert -> assertThat(alert.getMessage()).contains("SW_PROTECTED"));
    }

    @Test
    void firesInTdxWhenSharedBitIsClear() {
        assertThat(run(vm(5), line(101, "2.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0x100000 error_code 0x4"),
                MMIO_WRITE)).hasSize(1);
    }

    @Test
    void quietOnSharedFaultInSnp() {
        assertThat(run(vm(4), line(101, "2.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0xfee00000 error_code 0x4"),
                line(101, "2.2", "kvm_mmio: mmio write len 4 gpa 0xfee00000 val 0x1"))).isEmpty();
    }

    @Test
    void quietInTdxOnSharedAlias() {
        assertThat(run(vm(5), line(101, "2.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0x800000100000 error_code 0x4"),
                line(101, "2.2", "kvm_mmio: mmio write len 4 gpa 0x800000100000 val 0x1"))).isEmpty();
    }

    @Test
    void quietInSevEvenWithHardwareEncBit() {
        // docs/design.md §4, §7: bit 34 is set by SNP-capable hardware for SEV guests too; SEV has no
        // private memory
        assertThat(run(vm(2), line(101, "2.1", "kvm_page_fault: vcpu 0 rip 0x0 address 0x100000 error_code 0x400000004"),
                MMIO_WRITE)).isEmpty();
    }

    @Test
    void quietWhenMmioIsOnAnotherPage() {
        assertThat(run(vm(4), SNP_PRIVATE_FAULT, line(101, "2.2", "kvm_mmio: mmio write len 4 gpa 0xfed00000 val 0x1"))).isEmpty();
    }

    @Test
    void quietWhenAnotherVcpuFaulted() {
        List<String> setup = new ArrayList<>(vm(4));
        setup.add(line(100, "1.6", "sys_ioctl(fd: 5, cmd: 0xae41, arg: 1)"));
        setup.add(line(100, "1.7", "sys_ioctl -> 0x8"));
        setup.add(line(102, "1.8", "sys_ioctl(fd: 8, cmd: 0xae80, arg: 0)"));
        assertThat(run(setup, SNP_PRIVATE_FAULT, line(102, "2.2", "kvm_mmio: mmio write len 4 gpa 0x100000 val 0x41"))).isEmpty();
    }

    @Test
    void quietInDefaultVm() {
        assertThat(run(vm(0), line(101, "2.2", "kvm_mmio: mmio write len 4 gpa 0xd0000000 val 0x41"))).isEmpty();
    }
}
