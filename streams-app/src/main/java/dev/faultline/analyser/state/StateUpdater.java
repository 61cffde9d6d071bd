package dev.faultline.analyser.state;

import dev.faultline.events.BodyFacts;
import dev.faultline.events.Event;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.Hypercall;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.PageFault;
import dev.faultline.events.Populate;
import dev.faultline.events.TraceLoss;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmDestroyed;

/**
 * Applies one event to a VM's state after the rules have seen the state as it was before it.
 * Guest-controlled sizes are clamped, never trusted: a range that wraps past 2^64 ends at the top. What a body
 * touches (its GFN range, its guest_memfd pages, whether the guest ran) is {@link BodyFacts}'s; what it does to
 * the state is here.
 */
public final class StateUpdater {

    /** Applies the event to the VM's state and the vCPU's context. */
    public void apply(Event event, VmView vm, VcpuContext vcpu) {
        apply(event, BodyFacts.of(event.getBody()), vm, vcpu);
    }

    /** The same with the body's facts already worked out (the enricher has them for the rules). */
    public void apply(Event event, BodyFacts facts, VmView vm, VcpuContext vcpu) {
        VmState s = vm.state();
        Object body = event.getBody();
        long ts = event.getHeader().getKernelTsNs();
        if (s.firstTsNs == Long.MIN_VALUE) {
            s.firstTsNs = ts;
        }
        s.lastTsNs = Math.max(s.lastTsNs, ts);
        if (!s.guestStarted && facts.kind() == BodyFacts.Kind.GUEST) {
            s.guestStarted = true;
        }
        if (body instanceof VmCreated c) {
            s.vmType = c.getVmType().name();
            s.attached = c.getAttached();
            s.host = event.getHeader().getHost();
        } else if (body instanceof VmDestroyed) {
            s.destroyed = true;
        } else if (body instanceof GmemCreated g) {
            VmState.GmemFile f = new VmState.GmemFile();
            f.fd = g.getFd();
            f.inode = g.getInode();
            f.size = g.getSize();
            f.flags = g.getFlags();
            s.gmem.put(f.fd, f);
        } else if (body instanceof MemslotSet m) {
            applyMemslot(vm, m);
        } else if (body instanceof MemoryAttributes a) {
            s.count("conversions");
            BodyFacts.Gfns r = facts.gfns();
            if (!r.empty()) {
                vm.setAttributes(r.first(), r.last(), a.getAttributes());
                vm.recordChange(new AttributeHistory.Change(event.getHeader().getKernelTsNs(), event.getHeader().getSeq(),
                        r.first(), r.last(), a.getAttributes()));
            }
        } else if (body instanceof PageFault f) {
            s.count("faults");
            long gfn = facts.gfns().first();
            vcpu.lastFaultGfn = gfn;
            vcpu.lastFaultPrivate = f.getPrivate$() != null ? f.getPrivate$()
                    : vm.type().name().equals("SW_PROTECTED") ? Boolean.valueOf(vm.attributePrivate(gfn)) : null;
            vcpu.lastFaultSeq = event.getHeader().getSeq();
            vcpu.lastFaultTsNs = event.getHeader().getKernelTsNs();
            vcpu.lastFaultErrorCode = f.getErrorCode();
        } else if (body instanceof Mmio m) {
            s.count("mmio");
            vcpu.pendingReadGpa = m.getKind() == MmioKind.UNSATISFIED_READ ? m.getGpa() : null;
        } else if (body instanceof GmemPageAdded || body instanceof GmemPageRemoved) {
            BodyFacts.GmemPages g = facts.gmem();
            vm.setPopulated(g.inode(), g.first(), g.last(), body instanceof GmemPageAdded);
        } else if (body instanceof GmemInvalidation) {
            s.count("invalidations");
        } else if (body instanceof Hypercall h && h.getNr() == BodyFacts.MAP_GPA_RANGE) {
            s.count("conversion_requests");
            recordRequest(vm, h, facts.gfns());
        } else if (body instanceof Populate p) {
            s.count("populates");
            BodyFacts.Gfns r = facts.gfns();
            if (!r.empty() && p.getRet() == 0) {
                vm.setLaunched(r.first(), r.last());
            }
        } else if (body instanceof TraceLoss t) {
            s.counters.merge("lost_events", t.getCount(), Long::sum);
        }
    }

    /**
     * A well-formed MAP_GPA_RANGE becomes the guest's requested state of its range; a malformed one (no pages, a range
     * past 2^64, unknown attribute bits) changes nothing.
     */
    private static void recordRequest(VmView vm, Hypercall h, BodyFacts.Gfns r) {
        long attrs = h.getA2();
        if (r.empty() || r.clamped() || (attrs & ~0x1fL) != 0) {
            return;
        }
        vm.setRequested(r.first(), r.last(), (attrs & 0x10) != 0);
    }

    private static void applyMemslot(VmView vm, MemslotSet m) {
        VmState s = vm.state();
        if (m.getSlot() == null) {
            s.opaqueMemslotChanges++;
            return;
        }
        int as = m.getAddressSpace() == null ? 0 : m.getAddressSpace();
        String key = as + ":" + m.getSlot();
        if (m.getSize() != null && m.getSize() == 0) {
            vm.removeMemslot(key);
            return;
        }
        VmState.Memslot slot = new VmState.Memslot();
        slot.addressSpace = as;
        slot.slot = m.getSlot();
        slot.flags = m.getFlags() == null ? 0 : m.getFlags();
        slot.gpa = m.getGpa() == null ? 0 : m.getGpa();
        slot.size = m.getSize() == null ? 0 : m.getSize();
        slot.userspaceAddr = m.getUserspaceAddr() == null ? 0 : m.getUserspaceAddr();
        slot.gmemFd = m.getGmemFd();
        slot.gmemInode = m.getGmemInode();
        slot.gmemOffset = m.getGmemOffset() == null ? 0 : m.getGmemOffset();
        vm.putMemslot(key, slot);
    }
}
