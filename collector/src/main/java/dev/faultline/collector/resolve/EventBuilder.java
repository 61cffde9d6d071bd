package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.events.EventHeader;

/**
 * Makes each event's header from the line it came from and the VM it was resolved to, and appends the event to
 * the {@link ResolvedEvents} the pipeline drains. The pipeline sets the sequence number.
 */
final class EventBuilder {
    private final HostContext host;
    private final ResolvedEvents out;

    EventBuilder(HostContext host, ResolvedEvents out) {
        this.host = host;
        this.out = out;
    }

    /** An event of the VM {@code vmId} that {@code line} shows, made by a thread of {@code p} (null: none). */
    void emit(TraceLine line, String vmId, VmProcess p, Object body) {
        emit(header(line, vmId, p), body);
    }

    /** The same, with the thread's vCPU already looked up (null: none). */
    void emit(TraceLine line, String vmId, VmProcess p, Vcpu v, Object body) {
        emit(header(line, vmId, p, v), body);
    }

    /** An event of no VM but the host's, keyed by the host's name (loss), on {@code cpu}. */
    void emitForHost(int cpu, long tsNs, Object body) {
        emit(header(host.host(), null, -1, null, null, cpu, tsNs), body);
    }

    void emit(EventHeader h, Object body) {
        out.add(h, body);
    }

    EventHeader header(TraceLine line, String vmId, VmProcess p) {
        return header(line, vmId, p, p == null ? null : p.vcpusByTid.get(line.tid()));
    }

    private EventHeader header(TraceLine line, String vmId, VmProcess p, Vcpu v) {
        Integer vcpu = v == null ? null : v.id();
        Integer tgid;
        if (p != null && (!line.hasTgid() || line.tgid() == p.tgid)) {
            tgid = p.boxedTgid; // boxed once: tgids are past Integer's cache
        } else {
            tgid = line.hasTgid() ? Integer.valueOf(line.tgid()) : null;
        }
        return header(vmId, tgid, line.tid(), line.comm(), vcpu, line.cpu(), line.tsNs());
    }

    /**
     * Set field by field: the generated all-fields constructor takes boxes (Integer tid, Long timestamps),
     * three allocations per event that its primitive setters do not need.
     */
    private EventHeader header(String vmId, Integer tgid, int tid, String comm, Integer vcpu, int cpu, long tsNs) {
        EventHeader h = new EventHeader();
        h.setVm(vmId);
        h.setHost(host.host());
        h.setTgid(tgid);
        h.setTid(tid);
        h.setComm(comm);
        h.setVcpu(vcpu);
        h.setCpu(cpu);
        h.setKernelTsNs(tsNs);
        h.setWallTsMs(host.wallMillis(tsNs));
        h.setSource(host.source());
        return h;
    }
}
