package dev.faultline.collector.resolve;

import dev.faultline.events.VmType;

/**
 * Private-ness of a page fault where the trace alone decides it (docs/design.md §4): SNP by
 * KVM's synthetic bit 49, TDX by the GPA's shared bit, never for SEV, SEV-ES and default VMs
 * (bit 34 there is the hardware false positive of the TDX/SNP part 1 thread, docs/design.md §7).
 * Software-protected and unknown types return null: the analyser decides from the attributes it holds.
 */
public final class FaultPrivacy {
    public static final long PFERR_GUEST_ENC = 1L << 34;
    public static final long PFERR_PRIVATE_ACCESS = 1L << 49;

    private FaultPrivacy() {
    }

    public static Boolean of(VmType type, long gpa, long errorCode, int tdxSharedBit) {
        return switch (type) {
            case SEV_SNP -> (errorCode & PFERR_PRIVATE_ACCESS) != 0;
            case TDX -> (gpa & (1L << tdxSharedBit)) == 0;
            case DEFAULT, SEV, SEV_ES -> Boolean.FALSE;
            case SW_PROTECTED, UNKNOWN -> null;
        };
    }
}
