package dev.faultline.analyser.state;

import dev.faultline.events.Event;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.Hypercall;
import dev.faultline.events.Pio;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VcpuExit;
import dev.faultline.events.VmgExit;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
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
 * Guest-controlled sizes are clamped, never trusted: a range that wraps past 2^64 ends at the top.
 */
public final class StateUpdater {

    /** Applies the event to the VM's state and the vCPU's context. */
    public void apply(Event event, VmView vm, VcpuContext vcpu) {
        VmState s = vm.state();
        Object body = event.getBody();
        long ts = event.getHeader().getKernelTsNs();
        if (s.firstTsNs == Long.MIN_VALUE) {
            s.firstTsNs = ts;
        }
        s.lastTsNs = Math.max(s.lastTsNs, ts);
        if (!s.guestStarted && (body instanceof PageFault || body instanceof Mmio || body instanceof Pio
                || body instanceof Hypercall || body instanceof UserspaceExit || body instanceof VcpuExit
                || body instanceof VmgExit)) {
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
            long[] r = gfnRange(a.getGpa(), a.getSize());
            if (r != null) {
                vm.setAttributes(r[0], r[1], a.getAttributes());
                vm.recordChange(new AttributeHistory.Change(event.getHeader().getKernelTsNs(), event.getHeader().getSeq(),
                        r[0], r[1], a.getAttributes()));
            }
        } else if (body instanceof PageFault f) {
            s.count("faults");
            long gfn = f.getGpa() >>> 12;
            vcpu.lastFaultGfn = gfn;
            vcpu.lastFaultPrivate = f.getPrivate$() != null ? f.getPrivate$()
                    : vm.type().name().equals("SW_PROTECTED") ? Boolean.valueOf(vm.attributePrivate(gfn)) : null;
            vcpu.lastFaultSeq = event.getHeader().getSeq();
            vcpu.lastFaultTsNs = event.getHeader().getKernelTsNs();
            vcpu.lastFaultErrorCode = f.getErrorCode();
        } else if (body instanceof Mmio m) {
            s.count("mmio");
            vcpu.pendingReadGpa = m.getKind() == MmioKind.UNSATISFIED_READ ? m.getGpa() : null;
        } else if (body instanceof GmemPageAdded p) {
            long first = p.getOffset() >>> 12;
            vm.setPopulated(p.getInode(), first, first + (1L << Math.min(p.getOrder(), 40)) - 1, true);
        } else if (body instanceof GmemPageRemoved p) {
            long first = p.getOffset() >>> 12;
            vm.setPopulated(p.getInode(), first, first + (1L << Math.min(p.getOrder(), 40)) - 1, false);
        } else if (body instanceof GmemInvalidation) {
            s.count("invalidations");
        } else if (body instanceof Hypercall h && h.getNr() == MAP_GPA_RANGE) {
            s.count("conversion_requests");
            recordRequest(vm, h);
        } else if (body instanceof Populate p) {
            s.count("populates");
            long[] r = gfnRange(p.getGpa(), p.getSize());
            if (r != null && p.getRet() == 0) {
                vm.setLaunched(r[0], r[1]);
            }
        } else if (body instanceof TraceLoss t) {
            s.counters.merge("lost_events", t.getCount(), Long::sum);
        }
    }

    private static final long MAP_GPA_RANGE = 0xc;

    /** A well-formed MAP_GPA_RANGE becomes the guest's requested state of its range; a malformed one changes nothing. */
    private static void recordRequest(VmView vm, Hypercall h) {
        long pages = h.getA1();
        long attrs = h.getA2();
        if (pages == 0 || Long.compareUnsigned(pages, -1L >>> 12) > 0 || (attrs & ~0x1fL) != 0) {
            return;
        }
        long[] r = gfnRange(h.getA0(), pages << 12);
        if (r != null && Long.compareUnsigned(h.getA0() + (pages << 12) - 1, h.getA0()) >= 0) {
            vm.setRequested(r[0], r[1], (attrs & 0x10) != 0);
        }
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

    /** [first GFN, last GFN] of a byte range; null for an empty one; clamped at the top of the space. */
    public static long[] gfnRange(long gpa, long size) {
        if (size == 0) {
            return null;
        }
        long end = gpa + size - 1;
        if (Long.compareUnsigned(end, gpa) < 0) {
            end = -1L;
        }
        return new long[] {gpa >>> 12, end >>> 12};
    }
}
