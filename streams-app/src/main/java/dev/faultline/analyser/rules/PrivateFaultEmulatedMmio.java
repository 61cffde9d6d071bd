package dev.faultline.analyser.rules;

import static dev.faultline.analyser.rules.Evidences.hex;

import dev.faultline.alerts.Evidence;
import dev.faultline.analyser.enrich.EnrichedEvent;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code private-fault-emulated-mmio}: KVM emulated MMIO (kvm_mmio) on a GPA whose fault was
 * private, or whose attribute is private, in a VM with private memory. SNP, TDX and
 * software-protected VMs must never emulate MMIO for private memory (seed 002: marking SEV
 * faults private "results in KVM triggering emulated MMIO for faults that are marked private,
 * which we want to disallow for SNP and TDX").
 */
public final class PrivateFaultEmulatedMmio implements Rule {
    public static final String ID = "private-fault-emulated-mmio";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<Finding> evaluate(EnrichedEvent e) {
        if (!(e.body() instanceof Mmio m) || !e.vm().hasPrivateMemory()) {
            return Optional.empty();
        }
        // A read that went to userspace shows twice (unsatisfied-read, then read): one access.
        if (m.getKind() == MmioKind.READ && e.vcpu().pendingReadGpa != null && e.vcpu().pendingReadGpa == m.getGpa()) {
            return Optional.empty();
        }
        long gfn = e.gfn();
        boolean faultPrivate = Boolean.TRUE.equals(e.faultPrivate());
        boolean attrPrivate = e.vm().attributePrivate(gfn);
        if (!faultPrivate && !attrPrivate) {
            return Optional.empty();
        }
        List<Evidence> evidence = new ArrayList<>();
        if (faultPrivate) {
            evidence.add(new Evidence(e.vcpu().lastFaultSeq, "PageFault", e.vcpu().lastFaultTsNs,
                    "private fault gfn " + hex(gfn) + " error_code " + hex(e.vcpu().lastFaultErrorCode)));
        }
        evidence.add(Evidences.of(e.event(), Evidences.describe(m)));
        Map<String, String> state = new LinkedHashMap<>();
        state.put("vm_type", e.vm().type().name());
        state.put("fault_private", String.valueOf(e.faultPrivate()));
        state.put("attributes", hex(e.vm().attributes(gfn)));
        String why = faultPrivate && attrPrivate ? "a private fault and a private attribute"
                : faultPrivate ? "a private fault" : "a private attribute";
        return Optional.of(new Finding(ID, gfn, gfn, "KVM emulated MMIO (" + m.getKind().name().toLowerCase()
                + ") at GPA " + hex(m.getGpa()) + " in " + e.vm().type() + " VM " + e.vm().vm() + " on " + why
                + ": private memory must never be emulated as MMIO", evidence, state));
    }
}
