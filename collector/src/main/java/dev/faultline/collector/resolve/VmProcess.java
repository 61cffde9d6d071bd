package dev.faultline.collector.resolve;

import dev.faultline.events.VmType;
import java.util.HashMap;
import java.util.Map;

/** A VMM process as the trace shows it: its VMs, vCPUs and guest_memfd files by fd. */
final class VmProcess {

    /** A VM: id, type, the fd it was created as (-1: not known), and whether it was attached mid-stream. */
    record Vm(String id, VmType type, int fd, boolean attached) {
    }

    /** A vCPU of a VM. */
    record Vcpu(Vm vm, int id) {
    }

    /** A guest_memfd file; the inode is null until the trace or /proc tells it. */
    static final class Gmem {
        final Vm vm;
        final int fd;
        Long inode;
        Long size;
        Long flags;

        Gmem(Vm vm, int fd) {
            this.vm = vm;
            this.fd = fd;
        }
    }

    /** The process id; the first thread's id when the trace has no tgid column ({@link #tgidKnown} false). */
    final int tgid;
    final boolean tgidKnown;
    final Integer boxedTgid;
    String comm;
    final Map<Integer, Vm> vmsByFd = new HashMap<>();
    final Map<Integer, Vcpu> vcpusByFd = new HashMap<>();
    final IntMap<Vcpu> vcpusByTid = new IntMap<>();
    final Map<Integer, Gmem> gmemByFd = new HashMap<>();
    Vm latestVm;

    VmProcess(int tgid, boolean tgidKnown, String comm) {
        this.tgid = tgid;
        this.tgidKnown = tgidKnown;
        this.boxedTgid = tgid;
        this.comm = comm;
    }

    /** The VM a thread's event belongs to: its vCPU's VM, else the process's newest VM. */
    Vm vmOf(int tid) {
        return vmOf(vcpusByTid.get(tid));
    }

    /** The same, for a thread whose vCPU (or null) the caller already looked up. */
    Vm vmOf(Vcpu threadVcpu) {
        return threadVcpu != null ? threadVcpu.vm() : latestVm;
    }
}
