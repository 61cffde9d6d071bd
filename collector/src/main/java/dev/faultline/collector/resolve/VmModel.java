package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Gmem;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.collector.resolve.VmProcess.Vm;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmDestroyed;
import dev.faultline.events.VmType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes, threads, VMs, vCPUs and guest_memfd files the trace has shown (docs/design.md §2, VM identity):
 * which process a line's thread belongs to, which VM an fd or a thread names, a VM attached when it is first seen
 * without its KVM_CREATE_VM, and what a process's exit ends.
 */
final class VmModel {

    /** What the model asks of the calls held for their helper line. */
    interface HeldCalls {
        /** Whether a KVM call of {@code p} is held: a process that is making a VM. */
        boolean holds(VmProcess p);

        /** Applies the held KVM_CREATE_VCPU calls, of processes other than {@code except}, that returned fd {@code fd}. */
        void releaseVcpusMadeAt(int fd, VmProcess except);
    }

    private final HostContext host;
    private final EventBuilder events;
    private final CollectorStats stats;
    private final HeldCalls held;
    private final IntMap<VmProcess> processes = new IntMap<>();
    private final IntMap<VmProcess> threads = new IntMap<>();
    private final Map<Long, Gmem> gmemByInode = new HashMap<>();
    /** Threads without a tgid column whose KVM_RUN fd joined no process: the fd looked for (IntMap: no box per get). */
    private final IntMap<Integer> unjoinedRuns = new IntMap<>();

    VmModel(HostContext host, EventBuilder events, CollectorStats stats, HeldCalls held) {
        this.host = host;
        this.events = events;
        this.stats = stats;
        this.held = held;
    }

    // ---- processes and threads

    /** The process of the line's thread: by its tgid column, else the thread's, else one of the same name, else new. */
    VmProcess processOf(TraceLine line) {
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

    /** KVM_RUN on {@code fd} entered by the line's thread: the thread runs that vCPU, so its events are the vCPU's. */
    void vcpuRuns(TraceLine line, VmProcess p, int fd) {
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

    /**
     * Without a tgid column a vCPU thread named otherwise than its process (QEMU's {@code CPU 0/KVM}) looks like a
     * process of its own; its KVM_RUN names the vCPU fd, and the one process that made a vCPU at that fd is the
     * thread's. Several such processes: the thread stays where it is (counted), not guessed.
     */
    private VmProcess processRunning(int tid, int fd, VmProcess current) {
        held.releaseVcpusMadeAt(fd, current); // a vCPU made just now may still be held for its helper line
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
        long vm = p.latestVm != null && !p.latestVm.attached() || held.holds(p) ? 2 : p.latestVm != null ? 1 : 0;
        return (vm << 32) + p.tgid;
    }

    /** A thread ended; when its whole process did, so did the process's VMs (a VmDestroyed each). */
    void processExit(TraceLine line, VmProcess p, Decoded.ProcessExit exit) {
        threads.remove(exit.pid());
        if (!exit.groupDead()) {
            return;
        }
        Set<Vm> vms = new LinkedHashSet<>(p.vmsByFd.values());
        if (p.latestVm != null && p.latestVm.fd() < 0) {
            vms.add(p.latestVm); // attached from its vCPU events, no VM fd seen
        }
        for (Vm vm : vms) {
            events.emit(line, vm.id(), null, new VmDestroyed("process " + p.tgid + " exited"));
        }
        p.gmemByFd.values().forEach(g -> {
            if (g.inode != null) {
                gmemByInode.remove(g.inode);
            }
        });
        processes.remove(p.tgid);
        threads.removeValues(q -> q == p);
    }

    // ---- VMs and their files

    /** A VM made by KVM_CREATE_VM as {@code fd} of {@code p} at {@code tsNs}: its id is {@code host/tgid/vmfd@secs}. */
    Vm vmCreated(VmProcess p, int fd, VmType type, long tsNs) {
        Vm vm = new Vm(host.host() + "/" + p.tgid + "/" + fd + "@" + seconds(tsNs), type, fd, false);
        p.vmsByFd.put(fd, vm);
        p.vcpusByFd.remove(fd); // a closed vCPU's number, re-used
        p.latestVm = vm;
        return vm;
    }

    /** A guest_memfd file opened: found by fd, and by inode for the page-cache events once the inode is known. */
    void gmemOpened(VmProcess p, Gmem g) {
        Gmem old = p.gmemByFd.put(g.fd, g);
        p.vcpusByFd.remove(g.fd); // a closed vCPU's number, re-used
        if (old != null && old.inode != null) {
            gmemByInode.remove(old.inode);
        }
        if (g.inode != null) {
            gmemByInode.put(g.inode, g);
        }
    }

    Gmem gmemOfInode(long inode) {
        return gmemByInode.get(inode);
    }

    /**
     * The VM of a call that may be issued on a vCPU fd (KVM_PRE_FAULT_MEMORY, TDX's populate): from the plain
     * ioctl line that is the vCPU's fd; a helper line names the VM fd, or -1 when it did not see the vCPU made.
     */
    Vm vmOfVmOrVcpuFd(VmProcess p, long fd, TraceLine line) {
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
    Vm vmByFd(VmProcess p, long fd, TraceLine line) {
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
    Vm attach(TraceLine line, VmProcess p, int fd) {
        String process = p.tgidKnown || p.comm == null ? Integer.toString(p.tgid) : p.comm + "-" + p.tgid;
        String id = host.host() + "/" + process + (fd >= 0 ? "/" + fd : "") + "@" + seconds(line.tsNs());
        Vm vm = new Vm(id, VmType.UNKNOWN, fd, true);
        if (fd >= 0) {
            p.vmsByFd.put(fd, vm);
        }
        p.latestVm = vm;
        stats.other("VM attached mid-stream");
        events.emit(line, id, p, new VmCreated(VmType.UNKNOWN, -1L, null, fd, true));
        return vm;
    }

    private static String seconds(long tsNs) {
        return String.format("%d.%06d", tsNs / 1_000_000_000L, (tsNs % 1_000_000_000L) / 1000);
    }

    /** The VMs currently known by fd, by id. */
    List<String> knownVms() {
        List<String> out = new ArrayList<>();
        processes.values().forEach(p -> p.vmsByFd.values().forEach(v -> out.add(v.id())));
        return out;
    }
}
