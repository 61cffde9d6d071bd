package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.ParsedLine;
import dev.faultline.collector.parse.Payload;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.resolve.VmProcess.Gmem;
import dev.faultline.collector.resolve.VmProcess.Vcpu;
import dev.faultline.collector.resolve.VmProcess.Vm;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.EventHeader;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.LossReason;
import dev.faultline.events.PageFault;
import dev.faultline.events.TraceLoss;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Resolves parsed lines to VMs (docs/design.md §2, VM identity): each line goes to the part that handles it —
 * syscalls and the BPF helper's lines to {@link CallPairing}, what a completed call does to {@link KvmCalls},
 * processes, threads and VMs to {@link VmModel} — and an event body the kernel line carries whole is given its
 * VM here. The events made go to {@link ResolvedEvents}, which the caller drains; the resolver never sees the sink.
 *
 * <p>A VM is born from KVM_CREATE_VM (the plain {@code sys_ioctl} enter/exit pair, matched by tid)
 * or a {@code faultline_create_vm} line; its id is {@code host/tgid/vmfd@creation-time}, so a
 * re-used pid or fd starts a new VM. fds map to VMs, vCPUs and gmem files; KVM_RUN maps the thread
 * to its vCPU; filemap events map by gmem inode.
 */
public final class VmResolver {
    private final HostContext host;
    private final CollectorStats stats;
    private final EventBuilder events;
    private final CallPairing calls;
    private final VmModel model;
    private final KvmCalls kvm;

    /** Events go to {@code out}, which the caller drains after each call. */
    public VmResolver(HostContext host, ResolvedEvents out, CollectorStats stats) {
        this.host = host;
        this.stats = stats;
        this.events = new EventBuilder(host, out);
        this.calls = new CallPairing(stats, new CallPairing.Completion() {
            @Override
            public void ioctl(CompletedCall c) {
                kvm.apply(c);
            }

            @Override
            public void fallocate(TraceLine exitLine, VmProcess p, Decoded.SyscallEnter args, long ret) {
                kvm.fallocate(exitLine, p, args, ret);
            }
        });
        this.model = new VmModel(host, events, stats, calls);
        this.kvm = new KvmCalls(host, model, events, stats);
    }

    /** A {@code #>} annotation: gmem fd to inode facts written by the capture tool. */
    public void onAnnotation(ParsedLine.Annotation a) {
        kvm.annotate(a.text());
    }

    /** Events lost on {@code cpu} (the ring's count, or a {@code LOST} line): a host-wide TraceLoss. */
    public void onLoss(ParsedLine.Loss loss, long lastTsNs, LossReason reason) {
        stats.lost(reason.name(), loss.count());
        events.emitForHost(loss.cpu(), lastTsNs, new TraceLoss(loss.cpu(), loss.count(), reason));
    }

    /** One event line (or record) and its payload. */
    public void onLine(TraceLine line, Payload parsed) {
        VmProcess p = model.processOf(line);
        if (calls.holdsAny() && calls.releaseHeld(line, p, parsed)) { // nearly always none held: no call per line
            return;
        }
        if (parsed instanceof Decoded.SyscallEnter enter) {
            calls.enter(line, enter);
            if (enter.name().equals("sys_ioctl") && enter.args().getOrDefault("cmd", -1L) == KvmIoctl.RUN.cmd) {
                // KVM_RUN returns only when the vCPU exits: its thread's events arrive inside the call.
                model.vcpuRuns(line, p, enter.args().getOrDefault("fd", -1L).intValue());
            }
        } else if (parsed instanceof Decoded.SyscallExit exit) {
            calls.exit(line, p, exit);
        } else if (parsed instanceof Decoded.HelperCall h) {
            calls.helper(line, p, h);
        } else if (parsed instanceof Decoded.ProcessExit exit) {
            stats.other("sched_process_exit");
            model.processExit(line, p, exit);
        } else if (parsed instanceof Decoded.NotForwarded) {
            stats.other("parsed, not forwarded: " + line.event());
        } else {
            onBody(line, p, ((Payload.Body) parsed).event());
        }
    }

    /** End of input: apply what is held. */
    public void finish() {
        calls.finish();
    }

    private void onBody(TraceLine line, VmProcess p, SpecificRecord body) {
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
            events.emit(line, vm.id(), p, body);
        } else {
            // Per-vCPU events: only a vCPU thread of a VMM produces them.
            Vcpu vcpu = p.vcpusByTid.get(line.tid());
            Vm vm = p.vmOf(vcpu);
            if (vm == null) {
                vm = model.attach(line, p, -1);
            }
            if (body instanceof PageFault f) {
                f.setPrivate$(FaultPrivacy.of(vm.type(), f.getGpa(), f.getErrorCode(), host.tdxSharedBit()));
            }
            events.emit(line, vm.id(), p, vcpu, body);
        }
    }

    /** A page-cache event of a guest_memfd, found by its inode. */
    private void byInode(TraceLine line, long inode, Object body) {
        Gmem g = model.gmemOfInode(inode);
        if (g == null) {
            stats.skip("filemap-not-gmem", null);
            return;
        }
        EventHeader h = events.header(line, g.vm.id(), null);
        if (body instanceof GmemPageRemoved && calls.inFallocate(line.tid())) {
            calls.afterFallocate(line.tid(), () -> events.emit(h, body)); // the punch-hole's invalidation goes first
            return;
        }
        events.emit(h, body);
    }

    /** For tests and the live source: the VMs currently known, by id. */
    public List<String> knownVms() {
        return model.knownVms();
    }
}
