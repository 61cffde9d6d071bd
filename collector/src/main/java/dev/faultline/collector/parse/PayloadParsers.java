package dev.faultline.collector.parse;

import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.events.GmemHostFault;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.HugePageSplit;
import dev.faultline.events.HvaRangeUnmapped;
import dev.faultline.events.Hypercall;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.PageFault;
import dev.faultline.events.Pio;
import dev.faultline.events.RmpFault;
import dev.faultline.events.SpteChanged;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VcpuExit;
import dev.faultline.events.VmgExit;
import org.apache.avro.specific.SpecificRecordBase;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One parser per supported event, each following the event's print format in
 * docs/design.md §3 (and the BPF helper's lines of §4). A parser returns an Avro event body
 * or a {@link Decoded} value, and throws {@link PayloadException} when the payload does not fit.
 */
public final class PayloadParsers {

    private final Map<String, Function<Cursor, Object>> byEvent = new HashMap<>();
    private final RawPayloads raw = new RawPayloads();
    private final Payload.Body body = new Payload.Body();

    public PayloadParsers() {
        byEvent.put("kvm_page_fault", PayloadParsers::pageFault);
        byEvent.put("kvm_mmio", PayloadParsers::mmio);
        byEvent.put("kvm_pio", PayloadParsers::pio);
        byEvent.put("kvm_hypercall", PayloadParsers::hypercall);
        byEvent.put("kvm_userspace_exit", PayloadParsers::userspaceExit);
        byEvent.put("kvm_exit", ExitPayloads::exit);
        byEvent.put("kvm_nested_vmexit", ExitPayloads::nestedExit);
        byEvent.put("kvm_entry", ExitPayloads::entry);
        byEvent.put("kvm_rmp_fault", PayloadParsers::rmpFault);
        byEvent.put("kvm_vmgexit_enter", PayloadParsers::vmgExit);
        byEvent.put("kvm_vmgexit_exit", p -> {
            vmgExit(p);
            return Decoded.NOT_FORWARDED;
        });
        byEvent.put("kvm_unmap_hva_range", PayloadParsers::unmapHvaRange);
        byEvent.put("kvm_emulate_insn", PayloadParsers::emulateInsn);
        byEvent.put("kvm_mmu_set_spte", PayloadParsers::setSpte);
        byEvent.put("kvm_mmu_spte_requested", PayloadParsers::spteRequested);
        byEvent.put("kvm_tdp_mmu_spte_changed", PayloadParsers::tdpSpteChanged);
        byEvent.put("kvm_mmu_split_huge_page", PayloadParsers::splitHugePage);
        byEvent.put("mm_filemap_add_to_page_cache", p -> {
            long[] f = filemapPage(p);
            return new GmemPageAdded(f[0], f[1], f[2], (int) f[3]);
        });
        byEvent.put("mm_filemap_delete_from_page_cache", p -> {
            long[] f = filemapPage(p);
            return new GmemPageRemoved(f[0], f[1], f[2], (int) f[3]);
        });
        byEvent.put("mm_filemap_fault", PayloadParsers::filemapFault);
        byEvent.put("sched_process_exit", PayloadParsers::processExit);
        for (String op : HELPER_OPS) {
            byEvent.put(op, p -> helperCall(op, p));
        }
        for (String call : SYSCALLS) { // trace-cmd report prints syscalls under their event names
            String event = call.substring("sys_".length());
            byEvent.put("sys_enter_" + event, p -> syscallEnter(call, p));
            byEvent.put("sys_exit_" + event, p -> syscallExit(call, p));
        }
    }

    /** The BPF helper's line names (docs/design.md §4). */
    public static final Set<String> HELPER_OPS = Set.of("faultline_create_vm", "faultline_create_vcpu",
            "faultline_create_guest_memfd", "faultline_set_memslot", "faultline_set_memory_attributes",
            "faultline_populate");

    /** Syscalls whose enter/exit lines the resolver pairs. */
    public static final Set<String> SYSCALLS = Set.of("sys_ioctl", "sys_fallocate");


    /**
     * The payload of a line or record: an event's body or a {@link Decoded}, a syscall's arguments or return value;
     * null when the event is not supported. A binary record of an event with field readers ({@link #readsFields})
     * is read from its fields; every other line from its text.
     */
    public Payload decode(TraceLine line) {
        if (line.kind() != TraceLine.Kind.EVENT && !SYSCALLS.contains(line.event())) {
            return null;
        }
        if (line.record() != null) {
            return payload(raw.decode(line.record()));
        }
        return switch (line.kind()) {
            case EVENT -> payload(parse(line));
            case SYSCALL_ENTER -> syscallEnter(line);
            case SYSCALL_EXIT -> syscallExit(line);
        };
    }

    /** A parser's answer as a Payload: an Avro body in the reused Body, a Decoded as it is, null as null. */
    private Payload payload(Object parsed) {
        // a class test, not an interface's: an interface instanceof that fails scans the class's interfaces
        if (parsed instanceof SpecificRecordBase event) {
            return body.of(event);
        }
        return (Decoded) parsed;
    }

    /** Whether a binary record of this event is read from its fields, with no text printed (else: from its text). */
    public boolean readsFields(RingRecord r) {
        return raw.decodes(r.formatName());
    }

    /** Parses an {@link TraceLine.Kind#EVENT} payload; null when the event is not supported. */
    Object parse(String event, String payload) {
        try {
            return parse(event, new Cursor(payload));
        } catch (PayloadException e) {
            return orRaw(e, raw.parse(event, new Cursor(payload)));
        }
    }

    /**
     * Decodes the payload of an {@link TraceLine.Kind#EVENT} line in place; null when the event is not supported.
     * A payload that is not the event's text is tried as raw fields ({@link RawPayloads}): only then, so the usual
     * line costs nothing more.
     */
    private Object parse(TraceLine line) {
        try {
            return parse(line.event(), line.payloadCursor());
        } catch (PayloadException e) {
            return orRaw(e, raw.parse(line.event(), line.payloadCursor()));
        }
    }

    private static Object orRaw(PayloadException formatted, Object raw) {
        if (raw == null) {
            throw formatted;
        }
        return raw;
    }

    private Object parse(String event, Cursor payload) {
        Function<Cursor, Object> parser = byEvent.get(event);
        return parser == null ? null : parser.apply(payload);
    }

    /** {@code fd: 5, cmd: 0x40a0ae49, arg: 0x7ffcf2142100} */
    public static Decoded.SyscallEnter syscallEnter(String name, String args) {
        return syscallEnter(name, new Cursor(args));
    }

    /** The arguments of a {@link TraceLine.Kind#SYSCALL_ENTER} line. */
    public static Decoded.SyscallEnter syscallEnter(TraceLine line) {
        return syscallEnter(line.event(), line.payloadCursor());
    }

    private static Decoded.SyscallEnter syscallEnter(String name, Cursor c) {
        Map<String, Long> out = new LinkedHashMap<>(8);
        // "fd: 0x5, cmd: 0xae80, arg: 0x0": one of the most frequent lines live
        while (!c.atEnd()) {
            String arg = c.upTo(':');
            if (arg.indexOf(',') >= 0 || !c.skipPast(':')) {
                throw new PayloadException("syscall argument without ':' in " + name);
            }
            out.put(arg, c.number());
            if (!c.skipPast(',')) {
                break;
            }
        }
        return new Decoded.SyscallEnter(name, out);
    }

    /** {@code 0x5} or {@code 0xfffffffffffffff2} (= -14). */
    public static Decoded.SyscallExit syscallExit(String name, String ret) {
        return syscallExit(name, new Cursor(ret));
    }

    /** The return value of a {@link TraceLine.Kind#SYSCALL_EXIT} line. */
    public static Decoded.SyscallExit syscallExit(TraceLine line) {
        return syscallExit(line.event(), line.payloadCursor());
    }

    private static Decoded.SyscallExit syscallExit(String name, Cursor c) {
        return new Decoded.SyscallExit(name, c.number());
    }

    // ≥6.1: vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx; ≤6.0: address %lx error_code %x
    static Object pageFault(Cursor c) {
        Integer vcpu = null;
        Long rip = null;
        if (!c.startsWithHere("address")) {
            vcpu = c.expect("vcpu").intNumber();
            rip = c.expect("rip").hex();
        }
        long gpa = c.expect("address").hex();
        long err = c.expect("error_code").hex();
        return new PageFault(vcpu, rip, gpa, err, null);
    }

    // mmio %s len %u gpa 0x%llx val 0x%llx
    static Object mmio(Cursor c) {
        String kind = c.expect("mmio").word();
        MmioKind k = switch (kind) {
            case "read" -> MmioKind.READ;
            case "write" -> MmioKind.WRITE;
            case "unsatisfied-read" -> MmioKind.UNSATISFIED_READ;
            default -> throw new PayloadException("unknown mmio type '" + kind + "'");
        };
        int len = (int) c.expect("len").number();
        long gpa = c.expect("gpa").hex();
        long val = c.expect("val").hex();
        return new Mmio(k, len, gpa, val);
    }

    // pio_%s at 0x%x size %d count %d val 0x%x %s (no val on 2.6.3x kernels)
    static Object pio(Cursor c) {
        boolean write;
        if (c.accept("pio_write")) {
            write = true;
        } else if (c.accept("pio_read")) {
            write = false;
        } else {
            throw new PayloadException("expected pio_read or pio_write");
        }
        int port = (int) c.expect("at").hex();
        int size = c.expect("size").intNumber();
        int count = c.expect("count").intNumber();
        Long val = c.accept("val") ? c.hex() : null;
        return new Pio(write, port, size, count, val);
    }

    // nr 0x%lx a0 0x%lx a1 0x%lx a2 0x%lx a3 0x%lx
    static Object hypercall(Cursor c) {
        return new Hypercall(c.expect("nr").hex(), c.expect("a0").hex(), c.expect("a1").hex(),
                c.expect("a2").hex(), c.expect("a3").hex());
    }

    // reason %s (%d): symbolic up to 30, hex for newer reasons, "restart"/"error" with a negative errno
    static Object userspaceExit(Cursor c) {
        String name = c.expect("reason").until("(");
        int value = c.expect("(").intNumber();
        c.expect(")");
        if (name.equals("restart") || name.equals("error")) {
            // the kernel prints -errno, a positive number; a negative one is taken as the errno itself
            return new UserspaceExit(null, name, value > 0 ? -value : value);
        }
        return new UserspaceExit(value, name, null); // a reason past 2^31 prints as a negative %d
    }

    // vcpu %u gpa %016llx pfn 0x%llx error_code 0x%llx rmp_level %d psmash_ret %d
    static Object rmpFault(Cursor c) {
        int vcpu = c.expect("vcpu").intNumber();
        long gpa = c.expect("gpa").hex();
        long pfn = c.expect("pfn").hex();
        long err = c.expect("error_code").hex();
        int level = c.expect("rmp_level").intNumber();
        int psmash = c.expect("psmash_ret").intNumber();
        return new RmpFault(vcpu, gpa, pfn, err, level, psmash);
    }

    // vcpu %u, exit_reason %llx, exit_info1 %llx, exit_info2 %llx
    static Object vmgExit(Cursor c) {
        int vcpu = c.expect("vcpu").intNumber();
        long code = c.expect(",").expect("exit_reason").hex();
        long info1 = c.expect(",").expect("exit_info1").hex();
        long info2 = c.expect(",").expect("exit_info2").hex();
        return new VmgExit(vcpu, code, info1, info2);
    }

    // mmu notifier unmap range: %#016lx -- %#016lx
    static Object unmapHvaRange(Cursor c) {
        long start = c.expect("mmu notifier unmap range:").hex();
        long end = c.expect("--").hex();
        return new HvaRangeUnmapped(start, end);
    }

    // kernel: <cs base>:<rip>:<bytes> (<mode>)[ failed]; trace-cmd's plugin: <cs base>:<rip>[ func]: <insn or bytes>[ FAIL]
    static Object emulateInsn(Cursor c) {
        c.hex();
        c.expect(":").hex();
        if (c.accept(": ")) {
            return Decoded.NOT_FORWARDED; // the plugin's instruction or bytes
        }
        if (c.accept(":")) {
            c.until("(");
            c.expect("(").until(")");
        } else if (!c.skipPast(':')) { // the plugin's guest symbol, then the instruction
            throw new PayloadException("expected ':' before the instruction");
        }
        return Decoded.NOT_FORWARDED;
    }

    // gfn %llx spte %llx (%s%s%s%s) level %d at %llx
    static Object setSpte(Cursor c) {
        long gfn = c.expect("gfn").hex();
        long spte = c.expect("spte").hex();
        c.expect("(").until(")");
        int level = c.expect(")").expect("level").intNumber();
        c.expect("at").hex();
        return new SpteChanged(gfn, level, spte, null, null);
    }

    // gfn %llx pfn %llx level %d
    static Object spteRequested(Cursor c) {
        c.expect("gfn").hex();
        c.expect("pfn").hex();
        c.expect("level").intNumber();
        return Decoded.NOT_FORWARDED;
    }

    // as id %d gfn %llx level %d old_spte %llx new_spte %llx
    static Object tdpSpteChanged(Cursor c) {
        int as = c.expect("as id").intNumber();
        long gfn = c.expect("gfn").hex();
        int level = c.expect("level").intNumber();
        long old = c.expect("old_spte").hex();
        long spte = c.expect("new_spte").hex();
        return new SpteChanged(gfn, level, spte, old, as);
    }

    // gfn %llx spte %llx level %d errno %d
    static Object splitHugePage(Cursor c) {
        long gfn = c.expect("gfn").hex();
        long spte = c.expect("spte").hex();
        int level = c.expect("level").intNumber();
        int errno = c.expect("errno").intNumber();
        return new HugePageSplit(gfn, spte, level, errno);
    }

    // dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u  ->  {ino, ofs, pfn, order}
    static long[] filemapPage(Cursor c) {
        c.expect("dev").number();
        c.expect(":").number();
        long ino = c.expect("ino").hex();
        long pfn = c.expect("pfn=").hex();
        long ofs = c.expect("ofs=").number();
        long order = c.accept("order=") ? c.number() : 0;
        return new long[] {ino, ofs, pfn, order};
    }

    // dev=%d:%d ino=%lx ofs=%lu
    static Object filemapFault(Cursor c) {
        c.expect("dev=").number();
        c.expect(":").number();
        long ino = c.expect("ino=").hex();
        long ofs = c.expect("ofs=").number();
        return new GmemHostFault(ino, ofs);
    }

    // comm=%s pid=%d prio=%d group_dead=%s (comm may hold spaces: read from "pid=" on the right)
    static Object processExit(Cursor c) {
        if (!c.startsWithHere("comm=") || !c.toLast(" pid=")) {
            throw new PayloadException("expected comm=... pid=...");
        }
        int pid = c.expect("pid=").intNumber();
        boolean groupDead = true;
        if (c.accept("prio=")) {
            c.number();
        }
        if (c.accept("group_dead=")) {
            String v = c.word();
            groupDead = v.equals("true") || v.equals("1");
        }
        return new Decoded.ProcessExit(pid, groupDead);
    }

    // key value key value ... (faultline_* lines)
    static Object helperCall(String op, Cursor c) {
        Map<String, String> fields = new LinkedHashMap<>();
        while (!c.atEnd()) {
            String key = c.word();
            if (c.atEnd()) {
                throw new PayloadException(op + ": field '" + key + "' has no value");
            }
            fields.put(key, c.value()); // numbers that differ per call: pooling them only evicts the words
        }
        Decoded.HelperCall call = new Decoded.HelperCall(op, fields);
        call.num("ret");
        return call;
    }
}
