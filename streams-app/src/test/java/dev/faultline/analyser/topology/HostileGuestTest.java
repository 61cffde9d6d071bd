package dev.faultline.analyser.topology;

import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertFolder;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.rules.RuleWindow;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.events.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md §8: guest-controlled values (npages 2^63, GPA wrap-around, floods of tiny conversions) never
 * throw or grow state without bound, and the right rule fires.
 */
class HostileGuestTest {
    static final RuleSet RULES = RuleSet.load(Path.of("../rules"));

    static List<String> snp() {
        List<String> l = new ArrayList<>();
        l.add(line(100, "1.000001", "faultline_create_vm: fd 3 type 4 ret 5"));
        l.add(line(100, "1.000002", "faultline_create_guest_memfd: vmfd 5 size 0x40000000 flags 0x0 ret 6 ino 0x77"));
        l.add(line(100, "1.000003", "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x0 size 0x40000000 uaddr 0x7f0000000000 gmem_fd 6 gmem_offset 0x0 ret 0"));
        l.add(line(100, "1.000004", "faultline_create_vcpu: vmfd 5 id 0 ret 7"));
        l.add(line(101, "1.000005", "sys_ioctl(fd: 7, cmd: 0xae80, arg: 0)"));
        return l;
    }

    @Test
    void hugeAndWrappingRequestsAreMalformedNotCrashes() {
        List<String> l = snp();
        l.add(line(101, "2.000001", "kvm_hypercall: nr 0xc a0 0x100000 a1 0x8000000000000000 a2 0x10 a3 0x0"));
        l.add(line(101, "2.000002", "kvm_hypercall: nr 0xc a0 0xfffffffffffff000 a1 0x2 a2 0x10 a3 0x0"));
        l.add(line(101, "2.000003", "kvm_hypercall: nr 0xc a0 0xffffffffffffffff a1 0xffffffffffffffff a2 0xffffffffffffffff a3 0x0"));
        l.add(line(100, "2.000004", "faultline_set_memory_attributes: vmfd 5 address 0xfffffffffffff000 size 0x10000 attributes 0x8 flags 0x0 ret 0"));
        l.add(line(101, "2.000005", "kvm_page_fault: vcpu 0 rip 0xffffffffffffffff address 0xffffffffffffffff error_code 0xffffffffffffffff"));
        l.add(line(101, "2.000006", "kvm_mmio: mmio read len 8 gpa 0xfffffffffffff000 val 0xffffffffffffffff"));
        List<Alert> alerts = AlertFolder.latestPerId(Traces.analyse(RULES, Traces.events(l)));
        // three requests; the two naming the same top GFN fold into one alert counted twice
        assertThat(alerts.stream().filter(a -> a.getRule().equals("malformed-conversion-request"))
                .mapToInt(Alert::getCount).sum()).isEqualTo(3);
        assertThat(alerts).extracting(Alert::getMessage).anyMatch(m -> m.contains("wrap past 2^64"));
        // the wrapped attribute range was clamped at the top of the GFN space: the MMIO read sees it private
        assertThat(alerts).extracting(Alert::getRule).contains("shared-access-to-private", "private-fault-emulated-mmio",
                "private-fault-outside-gmem");
    }

    /**
     * Sizes and offsets are u64: a second binding of 2^63 bytes over the file's first pages, and one whose
     * offset + size passes 2^64, are double-bound like any other (a signed size test missed the first).
     */
    @Test
    void gmemBindingsAtTwoToThe63AreDoubleBoundToo() {
        for (String slot2 : List.of(
                "slot 2 as 0 flags 0x4 gpa 0x100000000 size 0x8000000000000000 uaddr 0x7f1000000000 gmem_fd 6 gmem_offset 0x0",
                "slot 2 as 0 flags 0x4 gpa 0x100000000 size 0xffffffffffff0000 uaddr 0x7f1000000000 gmem_fd 6 gmem_offset 0x20000")) {
            List<String> l = snp(); // slot 1 binds the file's first GiB
            l.add(line(100, "2.000001", "faultline_set_memslot: vmfd 5 " + slot2 + " ret 0"));
            List<Alert> alerts = Traces.analyse(RULES, Traces.events(l));
            assertThat(alerts).as(slot2).extracting(Alert::getRule).contains("gmem-range-double-bound");
        }
    }

    /** 60 000 single-page conversions, alternating: state is ranges, and one conversion collapses it. */
    @Test
    void floodsOfTinyConversionsStayRanges() {
        int pages = 60_000;
        List<String> l = snp();
        for (int i = 0; i < pages; i += 2) {
            l.add(line(100, String.format("2.%06d", i / 2), "faultline_set_memory_attributes: vmfd 5 address 0x"
                    + Long.toHexString((long) i << 12) + " size 0x1000 attributes 0x8 flags 0x0 ret 0"));
        }
        List<Event> events = Traces.events(l);
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            events.forEach(a::process);
            long chunks = a.storeEntries(StoreNames.INTERVALS);
            // 30 000 distinct private ranges in chunks of at most 64 intervals
            assertThat(chunks).isBetween(30_000L / 64, 30_000L / 16);
            Traces.events(List.of(line(100, "3.000000",
                    "faultline_set_memory_attributes: vmfd 5 address 0x0 size 0x40000000 attributes 0x8 flags 0x0 ret 0")))
                    .forEach(e -> {
                        e.getHeader().setVm(events.get(0).getHeader().getVm());
                        a.process(e);
                    });
            assertThat(a.storeEntries(StoreNames.INTERVALS)).as("one range: one entry").isEqualTo(1);
        }
    }

    /**
     * Thousands of one-page memslots (KVM allows 32 764 per address space): each its own store entry, and the
     * VM's state record stays the size it was (in it they made one changelog record grow past Kafka's limit).
     */
    @Test
    void manyMemslotsDoNotGrowTheVmsStateRecord() {
        List<String> l = snp();
        int slots = 10_000;
        for (int i = 2; i < slots + 2; i++) {
            l.add(line(100, String.format("2.%06d", i), "faultline_set_memslot: vmfd 5 slot " + i + " as 0 flags 0x4 gpa 0x"
                    + Long.toHexString(0x40000000L + ((long) i << 12)) + " size 0x1000 uaddr 0x7f1000000000 gmem_fd 6 gmem_offset 0x"
                    + Long.toHexString((long) i << 12) + " ret 0"));
        }
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            Traces.events(l).forEach(a::process);
            var state = a.dump();
            assertThat(state.get(StoreNames.MEMSLOTS)).hasSize(slots + 1);
            assertThat(state.get(StoreNames.VM_STATE)).singleElement()
                    .satisfies(kv -> assertThat(kv[1].length).as("bytes of the VM's state record").isLessThan(2048));
        }
    }

    /** Requests that are never honoured: the rule's memory is capped, the oldest forgotten and counted. */
    @Test
    void unhonouredRequestsAreBounded() {
        List<String> l = snp();
        int requests = RuleWindow.CAP + 500;
        for (int i = 0; i < requests; i++) {
            l.add(line(101, String.format("2.%06d", i), "kvm_hypercall: nr 0xc a0 0x"
                    + Long.toHexString((long) i << 12) + " a1 0x1 a2 0x0 a3 0x0"));
        }
        l.add(line(101, "9.000000", "kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41"));
        List<Alert> alerts = AlertFolder.latestPerId(Traces.analyse(RULES.only("conversion-request-unhonoured"),
                Traces.events(l)));
        // the window held CAP requests: CAP went unhonoured, the first ALERT_BUDGET one by one, the rest counted
        assertThat(alerts.stream().mapToInt(Alert::getCount).sum()).isEqualTo(RuleWindow.CAP);
        assertThat(alerts).hasSize(AnalyserTopology.ALERT_BUDGET + 1);
    }
}
