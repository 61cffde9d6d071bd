package dev.faultline.collector.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.host.Probe.Status;
import dev.faultline.collector.source.tracefs.TracefsSession;
import dev.faultline.host.HostFeature;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The judgement of a host, from facts written by hand: hosts this machine is not. */
class HostAssessmentTest {
    private static final long ALL_CAPS = (1L << 41) - 1;

    /** Every tracepoint present and decodable. */
    static Map<String, String> allEvents() {
        Map<String, String> events = new LinkedHashMap<>();
        TracefsSession.STANDARD_EVENTS.forEach(e -> events.put(e, null));
        return events;
    }

    static HostFacts.Tracefs tracefs(Map<String, String> events) {
        return new HostFacts.Tracefs(Path.of("/sys/kernel/tracing"), List.of(Path.of("/sys/kernel/tracing")), null, false,
                events, 2, 4);
    }

    static KvmDevice.Answers kvm(long gmem, long attributes, long vmTypes) {
        Map<KvmCap, Long> caps = new EnumMap<>(KvmCap.class);
        for (KvmCap c : KvmCap.values()) {
            caps.put(c, 0L);
        }
        caps.put(KvmCap.GUEST_MEMFD, gmem);
        caps.put(KvmCap.GUEST_MEMFD_FLAGS, gmem > 0 ? 3L : 0L);
        caps.put(KvmCap.MEMORY_ATTRIBUTES, attributes);
        caps.put(KvmCap.VM_TYPES, vmTypes);
        caps.put(KvmCap.USER_MEMORY2, 1L);
        return new KvmDevice.Answers(true, null, 12, caps);
    }

    static final HostFacts.Bpftrace BPFTRACE = new HostFacts.Bpftrace(Path.of("/usr/bin/bpftrace"), "bpftrace v0.17.0", null);

    /** The build machine as the issue found it: KVM on PVM, no guest_memfd, no memory attributes, default VMs only. */
    static HostFacts pvmWithoutGmem() {
        return new HostFacts("6.18.44", 0, ALL_CAPS, tracefs(allEvents()), kvm(0, 0, 1), List.of("kvm_pvm"), BPFTRACE, true,
                "integrity");
    }

    /** An SNP host: kvm_amd, guest_memfd, private attributes, DEFAULT | SEV | SEV_ES | SNP. */
    static HostFacts snpHost() {
        return new HostFacts("6.18", 0, ALL_CAPS, tracefs(allEvents()), kvm(1, KvmCap.ATTRIBUTE_PRIVATE, 0b11101),
                List.of("kvm_amd"), BPFTRACE, true, "none");
    }

    @Test
    void thePvmBuildMachineCanCollectButHasNoGuestMemfdNorPrivateVms() {
        HostAssessment a = HostAssessment.of(pvmWithoutGmem());
        assertThat(a.verdict().collectCanRun()).isTrue();
        assertThat(a.verdict().blockers()).isEmpty();
        assertThat(a.verdict().reader()).isEqualTo("raw");
        assertThat(a.verdict().helper()).contains("bpftrace v0.17.0");
        assertThat(a.missingFeatures().keySet()).containsExactlyInAnyOrder(HostFeature.GUEST_MEMFD, HostFeature.MEMORY_ATTRIBUTES,
                HostFeature.PRIVATE_VM, HostFeature.SEV_VM, HostFeature.PAGE_FAULTS, HostFeature.HYPERCALLS);
        assertThat(a.missingFeatures().get(HostFeature.GUEST_MEMFD)).isEqualTo("KVM_CAP_GUEST_MEMFD = 0");
        assertThat(a.missingFeatures().get(HostFeature.PAGE_FAULTS)).contains("kvm_pvm emulates");
        assertThat(status(a, "KVM_CAP_GUEST_MEMFD")).isEqualTo(Status.MISSING);
        assertThat(status(a, "KVM_CAP_MEMORY_ATTRIBUTES")).isEqualTo(Status.MISSING);
        assertThat(status(a, "tracefs")).isEqualTo(Status.OK);
        assertThat(status(a, "/dev/kvm")).isEqualTo(Status.OK);
        assertThat(status(a, "vendor module")).isEqualTo(Status.DEGRADED);
        assertThat(a.warnings()).anyMatch(w -> w.contains("guest_memfd files") && w.contains("KVM_CAP_GUEST_MEMFD = 0"))
                .noneMatch(w -> w.startsWith("cannot collect"));
    }

    @Test
    void anSnpHostOffersEverything() {
        HostAssessment a = HostAssessment.of(snpHost());
        assertThat(a.missingFeatures()).isEmpty();
        assertThat(a.probes(Status.MISSING)).extracting(Probe::name).containsExactly("KVM_CAP_PRE_FAULT_MEMORY");
        assertThat(a.probes()).filteredOn(p -> p.name().equals("KVM_CAP_VM_TYPES")).singleElement()
                .satisfies(p -> assertThat(p.detail()).contains("DEFAULT, SEV, SEV_ES, SEV_SNP"));
        assertThat(a.warnings()).isEmpty();
    }

    @Test
    void anUnusableTracefsOrNoKvmTracepointsOrConfidentialityLockdownStopCollect() {
        HostFacts f = pvmWithoutGmem();
        HostFacts noTracefs = new HostFacts(f.kernel(), 1000, 0, new HostFacts.Tracefs(Path.of("/t"), List.of(),
                "mount -t tracefs nodev /t failed: permission denied", false, Map.of(), 0, -1), f.kvm(), f.vendors(),
                f.bpftrace(), f.btf(), f.lockdown());
        HostAssessment a = HostAssessment.of(noTracefs);
        assertThat(a.verdict().collectCanRun()).isFalse();
        assertThat(a.verdict().blockers()).singleElement().asString().contains("permission denied");
        assertThat(status(a, "privileges")).isEqualTo(Status.DEGRADED);
        assertThat(status(a, "tracefs")).isEqualTo(Status.MISSING);
        assertThat(a.warnings()).anyMatch(w -> w.startsWith("cannot collect: tracefs"));

        Map<String, String> noKvm = allEvents();
        noKvm.replaceAll((ev, ok) -> ev.startsWith("kvm/") ? "no such tracepoint in this kernel" : ok);
        HostAssessment b = HostAssessment.of(withTracefs(f, tracefs(noKvm)));
        assertThat(b.verdict().blockers()).singleElement().asString().contains("no kvm tracepoint");
        assertThat(status(b, "tracepoint kvm/kvm_mmio")).isEqualTo(Status.MISSING);

        HostAssessment c = HostAssessment.of(new HostFacts(f.kernel(), 0, ALL_CAPS, f.tracefs(), f.kvm(), f.vendors(),
                f.bpftrace(), f.btf(), "confidentiality"));
        assertThat(c.verdict().collectCanRun()).isFalse();
        assertThat(status(c, "lockdown")).isEqualTo(Status.MISSING);
    }

    @Test
    void aFormatTheRawReaderCannotDecodeSendsCollectToTheTextReader() {
        Map<String, String> events = allEvents();
        events.put("kvm/kvm_mmio", "unsupported print format argument");
        HostAssessment a = HostAssessment.of(withTracefs(pvmWithoutGmem(), tracefs(events)));
        assertThat(a.verdict().collectCanRun()).isTrue();
        assertThat(a.verdict().reader()).isEqualTo("text");
        assertThat(a.verdict().readerWhy()).contains("kvm/kvm_mmio").contains("--reader text");
        assertThat(status(a, "raw reader")).isEqualTo(Status.DEGRADED);
        assertThat(status(a, "tracepoint kvm/kvm_mmio")).isEqualTo(Status.DEGRADED);
    }

    @Test
    void missingTracepointsAndToolsTakeTheirFeaturesAway() {
        Map<String, String> events = allEvents();
        events.put("filemap/mm_filemap_delete_from_page_cache", "no such tracepoint in this kernel");
        events.put("kvmmmu/kvm_mmu_set_spte", "no such tracepoint in this kernel");
        HostFacts f = withTracefs(snpHost(), tracefs(events));
        HostFacts noBpf = new HostFacts(f.kernel(), 0, ALL_CAPS, f.tracefs(), f.kvm(), f.vendors(),
                new HostFacts.Bpftrace(null, null, "bpftrace is not on PATH"), false, "none");
        HostAssessment a = HostAssessment.of(noBpf);
        assertThat(a.missingFeatures().keySet()).containsExactlyInAnyOrder(HostFeature.PAGE_CACHE_EVENTS, HostFeature.BPF_HELPER);
        assertThat(a.has(HostFeature.MMU_EVENTS)).as("the TDP MMU's tracepoint is enough").isTrue();
        assertThat(a.verdict().helper()).startsWith("none").contains("not on PATH");
        assertThat(status(a, "bpftrace")).isEqualTo(Status.MISSING);
        assertThat(status(a, "BTF")).isEqualTo(Status.MISSING);
        assertThat(a.verdict().collectCanRun()).isTrue();
    }

    @Test
    void aKvmThatCannotBeAskedLeavesItsFeaturesMissingAndSaysWhy() {
        HostFacts f = pvmWithoutGmem();
        HostFacts unasked = new HostFacts(f.kernel(), 0, ALL_CAPS, f.tracefs(),
                new KvmDevice.Answers(true, "cannot open /dev/kvm: errno 13", 0, Map.of()), List.of("kvm_intel"), f.bpftrace(),
                f.btf(), f.lockdown());
        HostAssessment a = HostAssessment.of(unasked);
        assertThat(status(a, "/dev/kvm")).isEqualTo(Status.DEGRADED);
        assertThat(a.probes()).noneMatch(p -> p.name().startsWith("KVM_CAP_"));
        assertThat(a.missingFeatures().get(HostFeature.GUEST_MEMFD)).contains("errno 13");
        assertThat(a.has(HostFeature.PAGE_FAULTS)).as("kvm_intel: the CPU reports faults").isTrue();
    }

    private static HostFacts withTracefs(HostFacts f, HostFacts.Tracefs t) {
        return new HostFacts(f.kernel(), f.uid(), f.capabilities(), t, f.kvm(), f.vendors(), f.bpftrace(), f.btf(), f.lockdown());
    }

    private static Status status(HostAssessment a, String probe) {
        return a.probes().stream().filter(p -> p.name().equals(probe)).findFirst().orElseThrow(() ->
                new AssertionError("no probe " + probe + " in " + a.probes())).status();
    }
}
