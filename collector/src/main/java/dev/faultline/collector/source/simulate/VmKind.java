package dev.faultline.collector.source.simulate;

import java.util.Locale;

/** VM types the simulator runs, with their KVM_CREATE_VM argument (docs/design.md §4). */
public enum VmKind {
    DEFAULT(0, false), SW_PROTECTED(1, true), SEV(2, false), SEV_ES(3, false), SNP(4, true), TDX(5, true);

    final int kvmType;
    final boolean privateMemory;

    VmKind(int kvmType, boolean privateMemory) {
        this.kvmType = kvmType;
        this.privateMemory = privateMemory;
    }

    /** snp, tdx, sev, sev-es, sw-protected, default. */
    public static VmKind parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "snp", "sev-snp", "sev_snp" -> SNP;
            case "tdx" -> TDX;
            case "sev" -> SEV;
            case "sev-es", "sev_es" -> SEV_ES;
            case "sw-protected", "sw_protected", "software-protected" -> SW_PROTECTED;
            case "default" -> DEFAULT;
            default -> throw new IllegalArgumentException("unknown VM type '" + s
                    + "' (snp, tdx, sev, sev-es, sw-protected, default)");
        };
    }
}
