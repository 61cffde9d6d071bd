package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.PayloadException;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Gmem;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.collector.resolve.VmProcess.Vm;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.GmemAllocation;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Populate;
import dev.faultline.events.PopulateKind;
import dev.faultline.events.VcpuCreated;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmType;

/**
 * What a completed KVM ioctl or a fallocate on a guest_memfd does: the change to the {@link VmModel} and the event
 * that says so (VmCreated, VcpuCreated, GmemCreated, MemslotSet, MemoryAttributes, Populate, GmemAllocation,
 * GmemInvalidation).
 */
final class KvmCalls {
    private static final long FALLOC_PUNCH_HOLE = 2;
    private static final VmType[] VM_TYPES = {VmType.DEFAULT, VmType.SW_PROTECTED, VmType.SEV, VmType.SEV_ES,
        VmType.SEV_SNP, VmType.TDX};

    private final HostContext host;
    private final VmModel model;
    private final EventBuilder events;
    private final CollectorStats stats;
    private final GmemAnnotations annotations = new GmemAnnotations();

    KvmCalls(HostContext host, VmModel model, EventBuilder events, CollectorStats stats) {
        this.host = host;
        this.model = model;
        this.events = events;
        this.stats = stats;
    }

    /** A {@code #>} annotation: gmem fd to inode facts written by the capture tool. */
    void annotate(String text) {
        annotations.add(text);
    }

    /**
     * A completed call applied; one whose helper line lacks a field or holds a bad number, or that cannot be
     * applied at all, is counted and skipped (its sample is the call's line; the number is the line being
     * read when it was applied).
     */
    void apply(CompletedCall c) {
        try {
            applyCall(c);
        } catch (PayloadException e) {
            stats.skipLine("bad-payload: " + c.ioctl(), e.getMessage() + ": " + c.line().text());
        } catch (RuntimeException e) {
            // counted against the call, not against whichever line happened to release it
            stats.skipLine("unresolvable: " + c.ioctl(), e + ": " + c.line().text());
        }
    }

    /** fallocate returned {@code ret} ({@code line} is its exit): an allocation or punch-hole of a guest_memfd. */
    void fallocate(TraceLine line, VmProcess p, Decoded.SyscallEnter args, long ret) {
        Gmem g = p.gmemByFd.get((int) args.arg("fd"));
        if (g == null) {
            stats.skip("fallocate-not-gmem", "fd " + args.arg("fd"));
            return;
        }
        int mode = (int) args.arg("mode");
        long offset = args.arg("offset");
        long len = args.arg("len");
        Object body = (mode & FALLOC_PUNCH_HOLE) != 0
                ? new GmemInvalidation(g.fd, g.inode, offset, len, mode, ret)
                : new GmemAllocation(g.fd, g.inode, offset, len, mode, ret);
        events.emit(line, g.vm.id(), p, body);
    }

    private void applyCall(CompletedCall c) {
        VmProcess p = c.process();
        TraceLine line = c.line();
        Decoded.HelperCall h = c.helper();
        if (c.ret() < 0 && !(c.ioctl() == KvmIoctl.PRE_FAULT_MEMORY || c.ioctl() == KvmIoctl.MEMORY_ENCRYPT_OP)) {
            stats.skip("ioctl-failed", c.ioctl() + " -> " + c.ret());
            return;
        }
        switch (c.ioctl()) {
            case CREATE_VM -> {
                VmType type = c.arg() >= 0 && c.arg() < VM_TYPES.length ? VM_TYPES[(int) c.arg()] : VmType.UNKNOWN;
                Vm vm = model.vmCreated(p, (int) c.ret(), type, line.tsNs());
                events.emit(line, vm.id(), p, new VmCreated(type, c.arg(), (int) c.fd(), vm.fd(), false));
            }
            case CREATE_VCPU -> {
                Vm vm = model.vmByFd(p, c.fd(), line);
                Vcpu v = new Vcpu(vm, (int) c.arg());
                int vcpuFd = (int) c.ret();
                p.vcpusByFd.put(vcpuFd, v);
                events.emit(line, vm.id(), p, new VcpuCreated(v.id(), vcpuFd));
            }
            case RUN -> {
                // mapped at the call's enter
            }
            case CREATE_GUEST_MEMFD -> {
                Vm vm = model.vmByFd(p, c.fd(), line);
                Gmem g = gmem(p, new Gmem(vm, (int) c.ret()), h);
                model.gmemOpened(p, g);
                events.emit(line, vm.id(), p, new GmemCreated(g.fd, g.inode, g.size, g.flags));
            }
            case SET_USER_MEMORY_REGION, SET_USER_MEMORY_REGION2 -> {
                Vm vm = model.vmByFd(p, c.fd(), line);
                events.emit(line, vm.id(), p, memslot(c.ioctl(), p, h));
            }
            case SET_MEMORY_ATTRIBUTES -> {
                Vm vm = model.vmByFd(p, c.fd(), line);
                if (h == null) {
                    stats.skip("ioctl-without-detail", "KVM_SET_MEMORY_ATTRIBUTES (run the BPF helper)");
                    return;
                }
                events.emit(line, vm.id(), p, new MemoryAttributes(h.num("address"), h.num("size"),
                        h.num("attributes"), h.fields().containsKey("flags") ? h.num("flags") : 0L));
            }
            case PRE_FAULT_MEMORY, MEMORY_ENCRYPT_OP -> {
                if (h == null) {
                    // the helper describes only the populate commands of MEMORY_ENCRYPT_OP
                    stats.skip("ioctl-without-detail", c.ioctl() + " (not a populate command, or no BPF helper)");
                    return;
                }
                Vm vm = model.vmOfVmOrVcpuFd(p, c.fd(), line);
                events.emit(line, vm.id(), p, new Populate(populateKind(h.text("kind")), h.num("gpa"),
                        h.num("size"), h.num("ret")));
            }
            default -> throw new IllegalStateException("unhandled " + c.ioctl());
        }
    }

    /** A new guest_memfd's size, flags and inode: from the helper, else an annotation, else (live) /proc. */
    private Gmem gmem(VmProcess p, Gmem g, Decoded.HelperCall h) {
        if (h != null) {
            g.size = h.numOrNull("size");
            g.flags = h.numOrNull("flags");
            g.inode = h.numOrNull("ino");
        }
        GmemAnnotations.FdFacts facts = annotations.take(p.comm, g.fd);
        if (facts != null) {
            g.inode = g.inode != null ? g.inode : facts.inode();
            g.size = g.size != null ? g.size : facts.size();
        }
        if (g.inode == null) {
            g.inode = host.fds().gmemInode(p.tgid, g.fd); // live: /proc/<pid>/fd
        }
        return g;
    }

    /** A memslot as the helper describes it; without the helper, only which ioctl set it. */
    private static MemslotSet memslot(KvmIoctl ioctl, VmProcess p, Decoded.HelperCall h) {
        MemslotSet m = new MemslotSet(ioctl.name(), null, null, null, null, null, null, null, null, null);
        if (h != null) {
            long slotField = h.num("slot");
            m.setSlot((int) slotField);
            m.setAddressSpace(h.fields().containsKey("as") ? (int) h.num("as") : (int) (slotField >>> 16));
            m.setFlags(h.num("flags"));
            m.setGpa(h.num("gpa"));
            m.setSize(h.num("size"));
            m.setUserspaceAddr(h.num("uaddr"));
            if ((h.num("flags") & 4) != 0) {
                int gfd = (int) h.num("gmem_fd");
                m.setGmemFd(gfd);
                m.setGmemOffset(h.num("gmem_offset"));
                Gmem g = p.gmemByFd.get(gfd);
                m.setGmemInode(g == null ? null : g.inode);
            }
        }
        return m;
    }

    private static PopulateKind populateKind(String kind) {
        return switch (kind) {
            case "snp_launch_update" -> PopulateKind.SNP_LAUNCH_UPDATE;
            case "tdx_init_mem_region" -> PopulateKind.TDX_INIT_MEM_REGION;
            case "pre_fault" -> PopulateKind.PRE_FAULT;
            default -> PopulateKind.UNKNOWN;
        };
    }
}
