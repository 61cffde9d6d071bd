package dev.faultline.collector.parse;

import dev.faultline.collector.source.ring.EventFormat;
import dev.faultline.collector.source.ring.RingRecord;
import dev.faultline.events.Hypercall;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.PageFault;
import dev.faultline.events.Pio;
import dev.faultline.events.SpteChanged;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VcpuExit;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Bodies built from an event's fields by their kernel names (arch/x86/kvm/trace.h), into the same bodies the
 * formatted text gives: of a binary record (the live raw reader, trace.dat), read in place, and of payloads
 * printed as the record's raw fields, {@code name=value} each: what {@code trace-cmd report -R} prints, and what
 * follows {@code [FAILED TO PARSE]} when libtraceevent cannot evaluate an event's print format.
 */
final class RawPayloads {
    private static final String FAILED = "[FAILED TO PARSE]";
    /** KVM_EXIT_* names the kernel's kvm_userspace_exit prints for reasons 0-30 (later ones print as hex). */
    private static final String[] USERSPACE_EXITS = {"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
        "IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
        "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT",
        "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR"};

    /** Distinct names remembered per format ({@link #printedName}). */
    private static final int MAX_NAMES = 4096;

    private final Map<String, Function<Fields, Object>> byEvent = new HashMap<>();
    /** Names as each record format prints them, by value ({@link #printedName}). */
    private final Map<EventFormat, Map<Long, String>> printedNames = new IdentityHashMap<>();

    RawPayloads() {
        byEvent.put("kvm_exit", f -> exit(f, false));
        byEvent.put("kvm_nested_vmexit", f -> exit(f, true));
        byEvent.put("kvm_page_fault", f -> new PageFault(f.intOrNull("vcpu_id"), f.numOrNull("guest_rip"),
                f.num("fault_address"), f.num("error_code"), null));
        byEvent.put("kvm_mmio", f -> new Mmio(mmioKind(f.num("type")), (int) f.num("len"), f.num("gpa"), f.num("val")));
        byEvent.put("kvm_pio", f -> new Pio(f.num("rw") != 0, (int) f.num("port"), (int) f.num("size"),
                (int) f.num("count"), f.numOrNull("val")));
        byEvent.put("kvm_hypercall", f -> new Hypercall(f.num("nr"), f.num("a0"), f.num("a1"), f.num("a2"), f.num("a3")));
        byEvent.put("kvm_userspace_exit", RawPayloads::userspaceExit);
        // understood, not forwarded, as their text
        byEvent.put("kvm_entry", f -> Decoded.NOT_FORWARDED);
        byEvent.put("kvm_emulate_insn", f -> Decoded.NOT_FORWARDED);
        byEvent.put("kvm_tdp_mmu_spte_changed", f -> new SpteChanged(f.num("gfn"), (int) f.num("level"), f.num("new_spte"),
                f.num("old_spte"), (int) f.num("as_id")));
        for (String call : PayloadParsers.SYSCALLS) {
            String event = call.substring("sys_".length());
            byEvent.put("sys_enter_" + event, f -> {
                return new Decoded.SyscallEnter(call, f.syscallArgs());
            });
            byEvent.put("sys_exit_" + event, f -> new Decoded.SyscallExit(call, f.num("ret")));
        }
    }

    /**
     * The body of a raw payload, or null when the payload is not raw fields or the event has no builder here: a
     * payload is raw when it opens with {@code [FAILED TO PARSE]} or its first word is {@code name=value}.
     */
    Object parse(String event, Cursor c) {
        Function<Fields, Object> builder = byEvent.get(event);
        if (builder == null) {
            return null;
        }
        boolean failed = c.accept(FAILED);
        if (!failed && !c.firstWordIsField()) {
            return null;
        }
        return builder.apply(TextFields.read(event, c));
    }

    /** Whether {@link #decode} reads records of the event with this format name. */
    boolean decodes(String formatName) {
        return byEvent.containsKey(formatName);
    }

    /** The body of a binary record, read from its fields; null when the event has no builder here. */
    Object decode(RingRecord r) {
        String event = r.formatName();
        if (event.equals("kvm_exit") || event.equals("kvm_nested_vmexit")) {
            return recordExit(r, event.equals("kvm_nested_vmexit"));
        }
        if (event.equals("kvm_userspace_exit")) {
            return recordUserspaceExit(r);
        }
        Function<Fields, Object> builder = byEvent.get(event);
        return builder == null ? null : builder.apply(new RecordFields(r));
    }

    /**
     * An exit record: its numbers from its fields, its reason's name as its own format prints it. The name comes
     * from the tables in the record's format (each kernel has its own), so it is learnt from the printed text the
     * first time each (format, isa, exit_reason) is seen, and looked up after that: live, a few reasons make nearly
     * every exit.
     */
    private Object recordExit(RingRecord r, boolean nested) {
        RecordFields f = new RecordFields(r);
        long raw = f.num(vmcb(f) ? "exit_code" : "exit_reason") & 0xffff_ffffL;
        long key = raw | (f.has("isa") ? f.num("isa") << 32 : 0);
        String reason = printedName(r, key, c -> ((VcpuExit) (nested ? ExitPayloads.nestedExit(c) : ExitPayloads.exit(c)))
                .getReason());
        return exit(f, nested, reason);
    }

    /** A userspace exit record: its reason named as its own format prints it (learnt per reason, as exits are). */
    private Object recordUserspaceExit(RingRecord r) {
        return userspaceExit(new RecordFields(r),
                reason -> printedName(r, reason, c -> ((UserspaceExit) PayloadParsers.userspaceExit(c)).getReasonName()));
    }

    /**
     * A name the record's print format gives a value (by {@code key}): read from the printed payload the first
     * time, remembered per format after that (up to {@link #MAX_NAMES} per format: past that, a hostile file's
     * names are read from the text each time).
     */
    private String printedName(RingRecord r, long key, Function<Cursor, String> fromText) {
        Map<Long, String> names = printedNames.computeIfAbsent(r.format(), k -> new HashMap<>());
        String name = names.get(key);
        if (name == null) {
            name = fromText.apply(new Cursor(r.payload()));
            if (names.size() < MAX_NAMES) {
                names.put(key, name);
            }
        }
        return name;
    }

    /** An exit given as raw fields: its reason named as the 5.8+ kernel names it. */
    private static Object exit(Fields f, boolean nested) {
        long raw = f.num(vmcb(f) ? "exit_code" : "exit_reason");
        String reason = f.has("isa") && f.num("isa") != 1 ? ExitReasons.svm(raw) : ExitReasons.vmx(raw); // KVM_ISA_VMX: 1
        return exit(f, nested, reason);
    }

    private static VcpuExit exit(Fields f, boolean nested, String reason) {
        if (vmcb(f)) {
            return new VcpuExit(null, reason, f.num("rip"), f.num("exit_info1"), f.num("exit_info2"), f.num("exit_int_info"),
                    f.num("exit_int_info_err"), null, nested);
        }
        return new VcpuExit(f.intOrNull("vcpu_id"), reason, f.num("guest_rip"), f.numOrNull("info1"), f.numOrNull("info2"),
                f.numOrNull("intr_info"), f.numOrNull("error_code"), f.numOrNull("requests"), nested);
    }

    /** kvm_nested_vmexit before 5.10 names its fields as SVM's VMCB does: rip, exit_code, exit_info1, ... */
    private static boolean vmcb(Fields f) {
        return !f.has("exit_reason") && f.has("exit_code");
    }

    private static MmioKind mmioKind(long type) {
        return switch ((int) type) {
            case 0 -> MmioKind.UNSATISFIED_READ;
            case 1 -> MmioKind.READ;
            case 2 -> MmioKind.WRITE;
            default -> throw new PayloadException("unknown mmio type '0x" + Long.toHexString(type) + "'"); // as the text's
        };
    }

    // the kernel prints KVM_EXIT_NAME for 0-30, hex beyond; restart / error when errno < 0
    private static Object userspaceExit(Fields f) {
        return userspaceExit(f, reason -> reason >= 0 && reason < USERSPACE_EXITS.length
                ? "KVM_EXIT_" + USERSPACE_EXITS[(int) reason] : "0x" + Long.toHexString(reason));
    }

    /** A userspace exit from its fields, its reason named by {@code nameOf} (read only when errno says no error). */
    private static Object userspaceExit(Fields f, LongFunction<String> nameOf) {
        int errno = (int) f.num("errno");
        if (errno < 0) {
            return new UserspaceExit(null, errno == -4 ? "restart" : "error", errno);
        }
        long reason = f.num("reason");
        return new UserspaceExit((int) reason, nameOf.apply(reason), null);
    }

    /** An event's fields by their kernel names. */
    private interface Fields {
        boolean has(String name);

        /** A field's number; a {@link PayloadException} naming the event when it has no such field. */
        long num(String name);

        /** A syscall enter's arguments: every field but {@code __syscall_nr}, in order. */
        Map<String, Long> syscallArgs();

        default Long numOrNull(String name) {
            return has(name) ? num(name) : null;
        }

        default Integer intOrNull(String name) {
            return has(name) ? (int) num(name) : null;
        }
    }

    /** A binary record's fields, read from its bytes by its format. */
    private record RecordFields(RingRecord r) implements Fields {
        @Override
        public boolean has(String name) {
            return r.field(name) != null;
        }

        @Override
        public long num(String name) {
            EventFormat.Field f = r.field(name);
            if (f == null) {
                throw new PayloadException(r.formatName() + " has no field '" + name + "'");
            }
            try {
                return r.number(f);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new PayloadException(r.formatName() + ": field " + name + ": " + e.getMessage());
            }
        }

        @Override
        public Map<String, Long> syscallArgs() {
            Map<String, Long> args = new LinkedHashMap<>(8);
            for (EventFormat.Field f : r.syscallArgs()) {
                args.put(f.name(), num(f.name()));
            }
            return args;
        }
    }

    /** A payload's {@code name=value} pairs. */
    private static final class TextFields implements Fields {
        final String event;
        final Map<String, String> values = new LinkedHashMap<>();

        private TextFields(String event) {
            this.event = event;
        }

        static TextFields read(String event, Cursor c) {
            TextFields f = new TextFields(event);
            while (!c.atEnd()) {
                String word = c.value();
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    throw new PayloadException(event + ": '" + word + "' is not name=value");
                }
                StringBuilder value = new StringBuilder(word.substring(eq + 1));
                if (value.indexOf("ARRAY[") == 0) { // an array field: ARRAY[ba, f8, 03]
                    while (value.charAt(value.length() - 1) != ']' && !c.atEnd()) {
                        value.append(' ').append(c.value());
                    }
                }
                f.values.put(word.substring(0, eq), value.toString());
            }
            return f;
        }

        @Override
        public boolean has(String name) {
            return values.containsKey(name);
        }

        @Override
        public long num(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new PayloadException(event + " has no field '" + name + "'");
            }
            return number(name, v);
        }

        @Override
        public Map<String, Long> syscallArgs() {
            Map<String, Long> args = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                if (!k.equals("__syscall_nr")) {
                    args.put(k, number(k, v));
                }
            });
            return args;
        }

        static long number(String name, String v) {
            try {
                return new Cursor(v).number();
            } catch (PayloadException e) {
                throw new PayloadException("field " + name + "=" + v + ": " + e.getMessage());
            }
        }
    }
}
