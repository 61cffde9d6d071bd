package dev.faultline.collector.resolve;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.stats.Counter;
import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.ParsedLine;
import dev.faultline.collector.parse.PayloadException;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Gmem;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.collector.resolve.VmProcess.Vm;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.Event;
import dev.faultline.events.EventHeader;
import dev.faultline.events.GmemAllocation;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.LossReason;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.PageFault;
import dev.faultline.events.Populate;
import dev.faultline.events.PopulateKind;
import dev.faultline.events.TraceLoss;
import dev.faultline.events.VcpuCreated;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmDestroyed;
import dev.faultline.events.VmType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves parsed lines to VMs and emits events (docs/design.md §2, VM identity).
 *
 * <p>A VM is born from KVM_CREATE_VM (the plain {@code sys_ioctl} enter/exit pair, matched by tid)
 * or a {@code faultline_create_vm} line; its id is {@code host/tgid/vmfd@creation-time}, so a
 * re-used pid or fd starts a new VM. fds map to VMs, vCPUs and gmem files; KVM_RUN maps the thread
 * to its vCPU; filemap events map by gmem inode. A completed ioctl whose struct the BPF helper can
 * describe is held until the process's next line, so that the helper's line for the same call
 * merges into it instead of making a second object (docs/design.md §4).
 */
public final class VmResolver {
    private static final long FALLOC_PUNCH_HOLE = 2;

    private final HostContext host;
    private final Emitter sink;
    private final CollectorStats stats;

    private final IntMap<VmProcess> processes = new IntMap<>();
    private final IntMap<VmProcess> threads = new IntMap<>();
    private final Map<Long, Gmem> gmemByInode = new HashMap<>();
    private final IntMap<PendingCall> inFlight = new IntMap<>();
    private final Map<VmProcess, CompletedCall> parked = new LinkedHashMap<>();
    /** Threads without a tgid column whose KVM_RUN fd joined no process: the fd looked for (IntMap: no box per get). */
    private final IntMap<Integer> unjoinedRuns = new IntMap<>();
    /** The count of each body type, found by class identity: no name lookup or string hash per event. */
    private final Map<Class<?>, Counter> eventCounts = new IdentityHashMap<>();
    private final GmemAnnotations annotations = new GmemAnnotations();

    /** An ioctl or fallocate entered and not yet returned. */
    private static final class PendingCall {
        final TraceLine enter;
        final Decoded.SyscallEnter args;
        Decoded.HelperCall helper;
        /** Page-cache removals a punch-hole made while in flight: emitted after its invalidation. */
        final List<Runnable> effects = new ArrayList<>();

        PendingCall(TraceLine enter, Decoded.SyscallEnter args) {
            this.enter = enter;
            this.args = args;
        }
    }

    /** A KVM ioctl that returned, with the helper's description when it has one. */
    private record CompletedCall(KvmIoctl ioctl, TraceLine line, VmProcess process, long fd, long arg, long ret,
                                 Decoded.HelperCall helper) {
        CompletedCall withHelper(Decoded.HelperCall h) {
            return new CompletedCall(ioctl, line, process, fd, arg, ret, h);
        }

        CompletedCall withLine(TraceLine l) {
            return new CompletedCall(ioctl, l, process, fd, arg, ret, helper);
        }
    }

    public VmResolver(HostContext host, Emitter sink, CollectorStats stats) {
        this.host = host;
        this.sink = sink;
        this.stats = stats;
    }

    /** A {@code #>} annotation: gmem fd to inode facts written by the capture tool. */
    public void onAnnotation(ParsedLine.Annotation a) {
        annotations.add(a.text());
    }

    /** {@code CPU:N [LOST M EVENTS]}: a host-wide TraceLoss, keyed by host. */
    public void onLoss(ParsedLine.Loss loss, long lastTsNs, LossReason reason) {
        EventHeader h = header(host.host(), null, -1, null, null, loss.cpu(), lastTsNs);
        stats.lost(reason.name(), loss.count());
        emit(h, new TraceLoss(loss.cpu(), loss.count(), reason));
    }

    /** One event line and what its payload parser made of it (an Avro body or a {@link Decoded}). */
    public void onLine(TraceLine line, Object parsed) {
        VmProcess p = processOf(line);
        CompletedCall held = parked.isEmpty() ? null : parked.get(p); // nearly always empty: no hash per line
        if (held != null) {
            if (parsed instanceof Decoded.HelperCall h && held.line().tid() == line.tid()
                    && h.op().equals(held.ioctl().helperOp)) {
                stats.other("helper line merged into its ioctl");
                parked.remove(p);
                apply(held.withHelper(h));
                return;
            }
            parked.remove(p);
            apply(held);
        }
        if (parsed instanceof Decoded.SyscallEnter enter) {
            stats.other("syscall enter (paired at exit)");
            inFlight.put(line.tid(), new PendingCall(line.retained(), enter)); // outlives the reader's array
            if (enter.name().equals("sys_ioctl") && enter.args().getOrDefault("cmd", -1L) == KvmIoctl.RUN.cmd) {
                // KVM_RUN returns only when the vCPU exits: its thread's events arrive inside the call.
                int fd = enter.args().getOrDefault("fd", -1L).intValue();
                Vcpu v = p.vcpusByFd.get(fd);
                if (v == null && !line.hasTgid() && !Integer.valueOf(fd).equals(unjoinedRuns.get(line.tid()))) {
                    p = processRunning(line.tid(), fd, p);
                    v = p.vcpusByFd.get(fd);
                    if (v == null) {
                        unjoinedRuns.put(line.tid(), fd); // looked for once per thread and fd, not per KVM_RUN
                    }
                }
                if (v != null) {
                    p.vcpusByTid.put(line.tid(), v);
                }
            }
        } else if (parsed instanceof Decoded.SyscallExit exit) {
            onSyscallExit(line, p, exit);
        } else if (parsed instanceof Decoded.HelperCall h) {
            onHelper(line, p, h);
        } else if (parsed instanceof Decoded.ProcessExit exit) {
            stats.other("sched_process_exit");
            onProcessExit(line, p, exit);
        } else if (parsed instanceof Decoded.NotForwarded) {
            stats.other("parsed, not forwarded: " + line.event());
        } else {
            onBody(line, p, parsed);
        }
    }

    /** End of input: apply what is held. */
    public void finish() {
        for (Iterator<CompletedCall> it = parked.values().iterator(); it.hasNext(); ) {
            CompletedCall c = it.next();
            it.remove();
            apply(c);
        }
        List<PendingCall> unfinished = inFlight.values();
        unfinished.sort(Comparator.comparingLong(c -> c.enter.tsNs()));
        unfinished.forEach(c -> {
            stats.skip("syscall-without-exit", c.enter.event() + "(" + c.enter.payload() + ")");
            c.effects.forEach(Runnable::run);
        });
        inFlight.clear();
    }

    // ---- processes and threads

    private VmProcess processOf(TraceLine line) {
        if (line.hasTgid()) {
            VmProcess p = processes.get(line.tgid()); // not computeIfAbsent: its lambda was an allocation per line
            if (p == null) {
                p = new VmProcess(line.tgid(), true, line.comm());
                processes.put(p.tgid, p);
            } else if (p.comm == null) {
                p.comm = line.comm();
            }
            if (threads.get(line.tid()) != p) {
                threads.put(line.tid(), p);
            }
            return p;
        }
        VmProcess p = threads.get(line.tid());
        if (p != null) {
            return p;
        }
        // No tgid column: a new thread joins a process of the same name (one with a VM first, then the
        // newest: the highest tgid), else is its own process.
        if (line.comm() != null) {
            for (VmProcess q : processes.values()) {
                if (line.comm().equals(q.comm) && (p == null || rank(q) > rank(p))) {
                    p = q;
                }
            }
        }
        if (p == null) {
            p = processes.get(line.tid());
            if (p == null) {
                p = new VmProcess(line.tid(), false, line.comm());
                processes.put(p.tgid, p);
            }
        }
        threads.put(line.tid(), p);
        return p;
    }

    /**
     * Without a tgid column a vCPU thread named otherwise than its process (QEMU's {@code CPU 0/KVM}) looks like a
     * process of its own; its KVM_RUN names the vCPU fd, and the one process that made a vCPU at that fd is the
     * thread's. Several such processes: the thread stays where it is (counted), not guessed.
     */
    private VmProcess processRunning(int tid, int fd, VmProcess current) {
        // a vCPU made just now may still be held for its helper line: made now, so its fd is known
        for (Iterator<CompletedCall> it = parked.values().iterator(); it.hasNext(); ) {
            CompletedCall c = it.next();
            if (c.ioctl() == KvmIoctl.CREATE_VCPU && c.ret() == fd && c.process() != current) {
                it.remove();
                apply(c);
            }
        }
        VmProcess found = null;
        for (VmProcess q : processes.values()) {
            if (q != current && q.vcpusByFd.containsKey(fd)) {
                if (found != null) {
                    stats.other("KVM_RUN on a vCPU fd of several processes (no tgid column): thread not joined");
                    return current;
                }
                found = q;
            }
        }
        if (found == null) {
            return current;
        }
        threads.put(tid, found);
        if (current.vmsByFd.isEmpty() && current.vcpusByFd.isEmpty() && current.latestVm == null && current.tgid == tid) {
            processes.remove(current.tgid); // the thread's own pseudo-process held nothing
        }
        stats.other("vCPU thread joined its process by the fd of its KVM_RUN (no tgid column)");
        return found;
    }

    /** A process with a VM made in the trace (or a KVM call still held) first, then one with an attached VM. */
    private long rank(VmProcess p) {
        long vm = p.latestVm != null && !p.latestVm.attached() || parked.containsKey(p) ? 2 : p.latestVm != null ? 1 : 0;
        return (vm << 32) + p.tgid;
    }

    private void onProcessExit(TraceLine line, VmProcess p, Decoded.ProcessExit exit) {
        threads.remove(exit.pid());
        if (!exit.groupDead()) {
            return;
        }
        java.util.Set<Vm> vms = new java.util.LinkedHashSet<>(p.vmsByFd.values());
        if (p.latestVm != null && p.latestVm.fd() < 0) {
            vms.add(p.latestVm); // attached from its vCPU events, no VM fd seen
        }
        for (Vm vm : vms) {
            emit(header(line, vm.id(), null), new VmDestroyed("process " + p.tgid + " exited"));
        }
        p.gmemByFd.values().forEach(g -> {
            if (g.inode != null) {
                gmemByInode.remove(g.inode);
            }
        });
        processes.remove(p.tgid);
        threads.removeValues(q -> q == p);
    }

    // ---- bodies the kernel line carries whole

    private void onBody(TraceLine line, VmProcess p, Object body) {
        BodyFacts facts = BodyFacts.of(body);
        if (facts.kind() == BodyFacts.Kind.GMEM_PAGE) {
            byInode(line, facts.gmem().inode(), body);
        } else if (facts.kind() == BodyFacts.Kind.MMU) {
            // MMU events also run in kernel threads (kvm-nx-lpage-re, kdamond): they own no VM of their own.
            // A VM running before the capture is attached by its vCPU events, which a vCPU's own MMU events follow;
            // kernel threads (ksmd, kdamond, nx-recovery before 6.13) own no VM, and a process of none is not guessed.
            Vm vm = p.vmOf(line.tid());
            if (vm == null) {
                stats.skip("no-vm:" + line.event(), line.comm() + "-" + line.tid());
                return;
            }
            emit(header(line, vm.id(), p), body);
        } else {
            // Per-vCPU events: only a vCPU thread of a VMM produces them.
            Vcpu vcpu = p.vcpusByTid.get(line.tid());
            Vm vm = p.vmOf(vcpu);
            if (vm == null) {
                vm = attach(line, p, -1);
            }
            if (body instanceof PageFault f) {
                f.setPrivate$(FaultPrivacy.of(vm.type(), f.getGpa(), f.getErrorCode(), host.tdxSharedBit()));
            }
            emit(header(line, vm.id(), p, vcpu), body);
        }
    }

    private void byInode(TraceLine line, long inode, Object body) {
        Gmem g = gmemByInode.get(inode);
        if (g == null) {
            stats.skip("filemap-not-gmem", null);
            return;
        }
        EventHeader h = header(line, g.vm.id(), null);
        PendingCall call = inFlight.get(line.tid());
        if (body instanceof GmemPageRemoved && call != null && call.args.name().equals("sys_fallocate")) {
            // The kernel logs a punch-hole's page removals before its exit: the invalidation goes first.
            call.effects.add(() -> emit(h, body));
            return;
        }
        emit(h, body);
    }

    // ---- syscalls and the helper's lines

    private void onSyscallExit(TraceLine line, VmProcess p, Decoded.SyscallExit exit) {
        PendingCall call = inFlight.remove(line.tid());
        if (call == null || !call.args.name().equals(exit.name())) {
            stats.skip("syscall-exit-without-enter", exit.name() + " -> " + exit.ret());
            return;
        }
        if (exit.name().equals("sys_fallocate")) {
            onFallocate(line, p, call.args, exit.ret());
            call.effects.forEach(Runnable::run);
            return;
        }
        long cmd = call.args.arg("cmd");
        KvmIoctl ioctl = KvmIoctl.of(cmd);
        if (ioctl == null) {
            stats.unsupported("sys_ioctl cmd 0x" + Long.toHexString(cmd));
            return;
        }
        CompletedCall done = new CompletedCall(ioctl, line, p, call.args.arg("fd"), call.args.arg("arg"),
                exit.ret(), call.helper);
        if (done.helper == null && ioctl.helperOp != null) {
            parked.put(p, done.withLine(line.retained())); // outlives the reader's array
        } else {
            apply(done);
        }
    }

    private void onHelper(TraceLine line, VmProcess p, Decoded.HelperCall h) {
        PendingCall call = inFlight.get(line.tid());
        if (call != null && call.args.name().equals("sys_ioctl")) {
            KvmIoctl k = KvmIoctl.of(call.args.args().getOrDefault("cmd", -1L));
            if (k != null && h.op().equals(k.helperOp)) {
                stats.other("helper line merged into its ioctl");
                call.helper = h; // the helper saw the call before its exit line arrived
                return;
            }
        }
        KvmIoctl ioctl = KvmIoctl.forHelper(h.op());
        if (ioctl == KvmIoctl.CREATE_VCPU) {
            Vcpu made = p.vcpusByFd.get((int) h.num("ret"));
            if (made != null && made.id() == h.num("id")) {
                // its call was applied before this line came (a thread of another name ran the vCPU at once)
                stats.other("helper line of a vCPU already made");
                return;
            }
        }
        long fd = ioctl == KvmIoctl.CREATE_VM ? h.num("fd") : h.num("vmfd");
        long arg = switch (ioctl) {
            case CREATE_VM -> h.num("type");
            case CREATE_VCPU -> h.num("id");
            default -> 0;
        };
        apply(new CompletedCall(ioctl, line, p, fd, arg, h.num("ret"), h));
    }

    private void onFallocate(TraceLine line, VmProcess p, Decoded.SyscallEnter args, long ret) {
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
        emit(header(line, g.vm.id(), p), body);
    }

    /** Changes the process model for one completed KVM ioctl and emits its event. */
    /**
     * A completed call applied; one whose helper line lacks a field or holds a bad number, or that cannot be
     * applied at all, is counted and skipped (its sample is the call's line; the number is the line being
     * read when it was applied).
     */
    private void apply(CompletedCall c) {
        try {
            applyCall(c);
        } catch (PayloadException e) {
            stats.skipLine("bad-payload: " + c.ioctl(), e.getMessage() + ": " + c.line().text());
        } catch (Emitter.Failed e) {
            throw e;
        } catch (RuntimeException e) {
            // counted against the call, not against whichever line happened to release it
            stats.skipLine("unresolvable: " + c.ioctl(), e + ": " + c.line().text());
        }
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
                int fd = (int) c.ret();
                VmType type = vmType(c.arg());
                Vm vm = new Vm(host.host() + "/" + p.tgid + "/" + fd + "@" + seconds(line.tsNs()), type, fd, false);
                p.vmsByFd.put(fd, vm);
                p.vcpusByFd.remove(fd); // a closed vCPU's number, re-used
                p.latestVm = vm;
                emit(header(line, vm.id(), p), new VmCreated(type, c.arg(), (int) c.fd(), fd, false));
            }
            case CREATE_VCPU -> {
                Vm vm = vmByFd(p, c.fd(), line);
                Vcpu v = new Vcpu(vm, (int) c.arg());
                int vcpuFd = (int) c.ret();
                p.vcpusByFd.put(vcpuFd, v);
                emit(header(line, vm.id(), p), new VcpuCreated(v.id(), vcpuFd));
            }
            case RUN -> {
                // mapped at the call's enter
            }
            case CREATE_GUEST_MEMFD -> {
                Vm vm = vmByFd(p, c.fd(), line);
                Gmem g = new Gmem(vm, (int) c.ret());
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
                Gmem old = p.gmemByFd.put(g.fd, g);
                p.vcpusByFd.remove(g.fd); // a closed vCPU's number, re-used
                if (old != null && old.inode != null) {
                    gmemByInode.remove(old.inode);
                }
                if (g.inode != null) {
                    gmemByInode.put(g.inode, g);
                }
                emit(header(line, vm.id(), p), new GmemCreated(g.fd, g.inode, g.size, g.flags));
            }
            case SET_USER_MEMORY_REGION, SET_USER_MEMORY_REGION2 -> {
                Vm vm = vmByFd(p, c.fd(), line);
                MemslotSet m = new MemslotSet(c.ioctl().name(), null, null, null, null, null, null, null, null, null);
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
                emit(header(line, vm.id(), p), m);
            }
            case SET_MEMORY_ATTRIBUTES -> {
                Vm vm = vmByFd(p, c.fd(), line);
                if (h == null) {
                    stats.skip("ioctl-without-detail", "KVM_SET_MEMORY_ATTRIBUTES (run the BPF helper)");
                    return;
                }
                emit(header(line, vm.id(), p), new MemoryAttributes(h.num("address"), h.num("size"),
                        h.num("attributes"), h.fields().containsKey("flags") ? h.num("flags") : 0L));
            }
            case PRE_FAULT_MEMORY, MEMORY_ENCRYPT_OP -> {
                if (h == null) {
                    // the helper describes only the populate commands of MEMORY_ENCRYPT_OP
                    stats.skip("ioctl-without-detail", c.ioctl() + " (not a populate command, or no BPF helper)");
                    return;
                }
                Vm vm = vmOfVmOrVcpuFd(p, c.fd(), line);
                emit(header(line, vm.id(), p), new Populate(populateKind(h.text("kind")), h.num("gpa"),
                        h.num("size"), h.num("ret")));
            }
            default -> throw new IllegalStateException("unhandled " + c.ioctl());
        }
    }

    /**
     * The VM of a call that may be issued on a vCPU fd (KVM_PRE_FAULT_MEMORY, TDX's populate): from the plain
     * ioctl line that is the vCPU's fd; a helper line names the VM fd, or -1 when it did not see the vCPU made.
     */
    private Vm vmOfVmOrVcpuFd(VmProcess p, long fd, TraceLine line) {
        Vcpu vcpu = p.vcpusByFd.get((int) fd);
        if (vcpu != null) {
            return vcpu.vm();
        }
        Vm known = p.vmsByFd.get((int) fd);
        if (known != null) {
            return known;
        }
        // a vCPU (or VM) fd the trace never saw made: the process's VM, never the fd taken as a VM fd
        return p.latestVm != null ? p.latestVm : attach(line, p, -1);
    }

    /**
     * The VM an ioctl's fd names. A VM fd first seen here belongs to a VM created before the capture began:
     * the process's VM attached from its vCPU events if it has one without an fd yet, else a VM attached now.
     */
    private Vm vmByFd(VmProcess p, long fd, TraceLine line) {
        Vm vm = p.vmsByFd.get((int) fd);
        if (vm != null) {
            return vm;
        }
        if (p.latestVm != null && p.latestVm.fd() < 0) {
            vm = new Vm(p.latestVm.id(), p.latestVm.type(), (int) fd, true);
            p.vmsByFd.put((int) fd, vm);
            p.latestVm = vm;
            return vm;
        }
        return attach(line, p, (int) fd);
    }

    /**
     * A VM whose KVM_CREATE_VM is not in the trace (the capture began while it ran), first seen at {@code line}:
     * its id is host, process and first-seen time ({@code host/tgid[/vmfd]@secs}, or {@code host/comm-tid@secs}
     * when the trace has no tgid column), its type UNKNOWN; a VmCreated marked attached says so downstream.
     */
    private Vm attach(TraceLine line, VmProcess p, int fd) {
        String process = p.tgidKnown || p.comm == null ? Integer.toString(p.tgid) : p.comm + "-" + p.tgid;
        String id = host.host() + "/" + process + (fd >= 0 ? "/" + fd : "") + "@" + seconds(line.tsNs());
        Vm vm = new Vm(id, VmType.UNKNOWN, fd, true);
        if (fd >= 0) {
            p.vmsByFd.put(fd, vm);
        }
        p.latestVm = vm;
        stats.other("VM attached mid-stream");
        emit(header(line, id, p), new VmCreated(VmType.UNKNOWN, -1L, null, fd, true));
        return vm;
    }

    private static VmType vmType(long raw) {
        VmType[] known = {VmType.DEFAULT, VmType.SW_PROTECTED, VmType.SEV, VmType.SEV_ES, VmType.SEV_SNP, VmType.TDX};
        return raw >= 0 && raw < known.length ? known[(int) raw] : VmType.UNKNOWN;
    }

    private static PopulateKind populateKind(String kind) {
        return switch (kind) {
            case "snp_launch_update" -> PopulateKind.SNP_LAUNCH_UPDATE;
            case "tdx_init_mem_region" -> PopulateKind.TDX_INIT_MEM_REGION;
            case "pre_fault" -> PopulateKind.PRE_FAULT;
            default -> PopulateKind.UNKNOWN;
        };
    }

    private static String seconds(long tsNs) {
        return String.format("%d.%06d", tsNs / 1_000_000_000L, (tsNs % 1_000_000_000L) / 1000);
    }

    // ---- output

    private EventHeader header(TraceLine line, String vmId, VmProcess p) {
        return header(line, vmId, p, p == null ? null : p.vcpusByTid.get(line.tid()));
    }

    /** With the thread's vCPU already looked up (null: none). */
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
     * three allocations per event that its primitive setters do not need. The sequence number is set at emit.
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

    private void emit(EventHeader h, Object body) {
        h.setSeq(host.nextSeq());
        Counter count = eventCounts.get(body.getClass());
        if (count == null) {
            count = stats.eventCounter(body.getClass().getSimpleName());
            eventCounts.put(body.getClass(), count);
        }
        count.increment();
        try {
            sink.emit(new Event(h, body));
        } catch (RuntimeException e) {
            throw new Emitter.Failed(e);
        }
    }

    /** For tests and the live source: the VMs currently known, by id. */
    public List<String> knownVms() {
        List<String> out = new ArrayList<>();
        processes.values().forEach(p -> p.vmsByFd.values().forEach(v -> out.add(v.id())));
        return out;
    }
}
