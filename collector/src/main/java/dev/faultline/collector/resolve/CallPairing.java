package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.Payload;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.collector.stats.CollectorStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs each ioctl and fallocate enter with its exit (by thread) and merges the BPF helper's line for a KVM call
 * into it (docs/design.md §4). A completed ioctl whose struct the helper can describe is held until the process's
 * next line, so that the helper's line for the same call, which may come just after the exit, merges into it
 * instead of making a second object. What completes goes to {@link Completion}.
 */
final class CallPairing implements VmModel.HeldCalls {

    /** Where completed calls go. */
    interface Completion {
        void ioctl(CompletedCall c);

        void fallocate(TraceLine exitLine, VmProcess p, Decoded.SyscallEnter args, long ret);
    }

    /** An ioctl or fallocate entered and not yet returned. */
    private static final class Pending {
        final TraceLine enter;
        final Decoded.SyscallEnter args;
        Decoded.HelperCall helper;
        /** Page-cache removals a punch-hole made while in flight: emitted after its invalidation. */
        final List<Runnable> effects = new ArrayList<>();

        Pending(TraceLine enter, Decoded.SyscallEnter args) {
            this.enter = enter;
            this.args = args;
        }
    }

    private final CollectorStats stats;
    private final Completion done;
    private final IntMap<Pending> inFlight = new IntMap<>();
    private final Map<VmProcess, CompletedCall> parked = new LinkedHashMap<>();

    CallPairing(CollectorStats stats, Completion done) {
        this.stats = stats;
        this.done = done;
    }

    /**
     * Before each line of {@code p}: a call of {@code p} held for its helper line takes this line when it is that
     * line (true: the line is used up), else is applied without it.
     */
    boolean releaseHeld(TraceLine line, VmProcess p, Payload parsed) {
        CompletedCall held = parked.get(p);
        if (held == null) {
            return false;
        }
        parked.remove(p);
        if (parsed instanceof Decoded.HelperCall h && held.line().tid() == line.tid()
                && h.op().equals(held.ioctl().helperOp)) {
            stats.other("helper line merged into its ioctl");
            done.ioctl(held.withHelper(h));
            return true;
        }
        done.ioctl(held);
        return false;
    }

    void enter(TraceLine line, Decoded.SyscallEnter enter) {
        stats.other("syscall enter (paired at exit)");
        inFlight.put(line.tid(), new Pending(line.retained(), enter)); // outlives the reader's array
    }

    void exit(TraceLine line, VmProcess p, Decoded.SyscallExit exit) {
        Pending call = inFlight.remove(line.tid());
        if (call == null || !call.args.name().equals(exit.name())) {
            stats.skip("syscall-exit-without-enter", exit.name() + " -> " + exit.ret());
            return;
        }
        if (exit.name().equals("sys_fallocate")) {
            done.fallocate(line, p, call.args, exit.ret());
            call.effects.forEach(Runnable::run);
            return;
        }
        long cmd = call.args.arg("cmd");
        KvmIoctl ioctl = KvmIoctl.of(cmd);
        if (ioctl == null) {
            stats.unsupported("sys_ioctl cmd 0x" + Long.toHexString(cmd));
            return;
        }
        CompletedCall completed = new CompletedCall(ioctl, line, p, call.args.arg("fd"), call.args.arg("arg"),
                exit.ret(), call.helper);
        if (completed.helper() == null && ioctl.helperOp != null) {
            parked.put(p, completed.withLine(line.retained())); // outlives the reader's array
        } else {
            done.ioctl(completed);
        }
    }

    /** A helper line: merged into its call in flight, else a call of its own (the helper saw what the trace did not). */
    void helper(TraceLine line, VmProcess p, Decoded.HelperCall h) {
        Pending call = inFlight.get(line.tid());
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
        done.ioctl(new CompletedCall(ioctl, line, p, fd, arg, h.num("ret"), h));
    }

    /** Whether the thread is in a fallocate (entered, not yet returned). */
    boolean inFallocate(int tid) {
        Pending call = inFlight.get(tid);
        return call != null && call.args.name().equals("sys_fallocate");
    }

    /**
     * An effect of the fallocate the thread is in ({@link #inFallocate}): the kernel logs a punch-hole's page
     * removals before its exit, so they wait for its invalidation.
     */
    void afterFallocate(int tid, Runnable effect) {
        inFlight.get(tid).effects.add(effect);
    }

    /** Whether any call is held for its helper line (nearly never: checked before {@link #releaseHeld}). */
    boolean holdsAny() {
        return !parked.isEmpty();
    }

    @Override
    public boolean holds(VmProcess p) {
        return parked.containsKey(p);
    }

    @Override
    public void releaseVcpusMadeAt(int fd, VmProcess except) {
        for (Iterator<CompletedCall> it = parked.values().iterator(); it.hasNext(); ) {
            CompletedCall c = it.next();
            if (c.ioctl() == KvmIoctl.CREATE_VCPU && c.ret() == fd && c.process() != except) {
                it.remove();
                done.ioctl(c);
            }
        }
    }

    /** End of input: what is held is applied; a call still in flight is counted, its effects emitted. */
    void finish() {
        for (Iterator<CompletedCall> it = parked.values().iterator(); it.hasNext(); ) {
            CompletedCall c = it.next();
            it.remove();
            done.ioctl(c);
        }
        List<Pending> unfinished = inFlight.values();
        unfinished.sort(Comparator.comparingLong(c -> c.enter.tsNs()));
        unfinished.forEach(c -> {
            stats.skip("syscall-without-exit", c.enter.event() + "(" + c.enter.payload() + ")");
            c.effects.forEach(Runnable::run);
        });
        inFlight.clear();
    }
}
