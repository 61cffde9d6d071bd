package dev.faultline.analyser.state;

/**
 * Recent context of one vCPU (or thread, when the vCPU index is unknown), kept to correlate
 * events: the last page fault before an MMIO, and an MMIO read still waiting for userspace.
 */
public final class VcpuContext {
    public Long lastFaultGfn;
    /** The fault's private-ness as decided at the fault (collector or attributes); null unknown. */
    public Boolean lastFaultPrivate;
    public long lastFaultSeq;
    public long lastFaultTsNs;
    public long lastFaultErrorCode;
    /** GPA of an MMIO read that exited to userspace (unsatisfied-read) and whose value line is due. */
    public Long pendingReadGpa;
}
