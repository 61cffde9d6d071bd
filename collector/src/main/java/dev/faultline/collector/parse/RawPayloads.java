package dev.faultline.collector.parse;

import dev.faultline.events.Hypercall;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.PageFault;
import dev.faultline.events.Pio;
import dev.faultline.events.SpteChanged;
import dev.faultline.events.UserspaceExit;
import dev.faultline.events.VcpuExit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Payloads printed as the record's raw fields, {@code name=value} each: what {@code trace-cmd report -R} prints,
 * and what follows {@code [FAILED TO PARSE]} when libtraceevent cannot evaluate an event's print format. Built from
 * the fields (their names in arch/x86/kvm/trace.h), into the same bodies the formatted text gives.
 */
final class RawPayloads {
    private static final String FAILED = "[FAILED TO PARSE]";
    /** KVM_EXIT_* names the kernel's kvm_userspace_exit prints for reasons 0-30 (later ones print as hex). */
    private static final String[] USERSPACE_EXITS = {"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
        "IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
        "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT",
        "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR"};

    private final Map<String, Function<Fields, Object>> byEvent = new HashMap<>();

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
                Map<String, Long> args = new LinkedHashMap<>();
                f.values.forEach((k, v) -> {
                    if (!k.equals("__syscall_nr")) {
                        args.put(k, Fields.number(k, v));
                    }
                });
                return new Decoded.SyscallEnter(call, args);
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
        return builder.apply(Fields.read(event, c));
    }

    private static Object exit(Fields f, boolean nested) {
        long raw = f.num("exit_reason");
        String reason = f.values.containsKey("isa") && f.num("isa") == 2 ? ExitReasons.svm(raw) : ExitReasons.vmx(raw);
        return new VcpuExit(f.intOrNull("vcpu_id"), reason, f.num("guest_rip"), f.numOrNull("info1"), f.numOrNull("info2"),
                f.numOrNull("intr_info"), f.numOrNull("error_code"), f.numOrNull("requests"), nested);
    }

    private static MmioKind mmioKind(long type) {
        return switch ((int) type) {
            case 0 -> MmioKind.UNSATISFIED_READ;
            case 1 -> MmioKind.READ;
            case 2 -> MmioKind.WRITE;
            default -> throw new PayloadException("unknown mmio type " + type);
        };
    }

    // the kernel prints KVM_EXIT_NAME for 0-30, hex beyond; restart / error when errno < 0
    private static Object userspaceExit(Fields f) {
        long reason = f.num("reason");
        int errno = (int) f.num("errno");
        if (errno < 0) {
            return new UserspaceExit(null, errno == -4 ? "restart" : "error", errno);
        }
        String name = reason >= 0 && reason < USERSPACE_EXITS.length ? "KVM_EXIT_" + USERSPACE_EXITS[(int) reason]
                : "0x" + Long.toHexString(reason);
        return new UserspaceExit((int) reason, name, null);
    }

    /** A payload's {@code name=value} pairs. */
    private static final class Fields {
        final String event;
        final Map<String, String> values = new LinkedHashMap<>();

        private Fields(String event) {
            this.event = event;
        }

        static Fields read(String event, Cursor c) {
            Fields f = new Fields(event);
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

        long num(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new PayloadException(event + " has no field '" + name + "'");
            }
            return number(name, v);
        }

        Long numOrNull(String name) {
            return values.containsKey(name) ? num(name) : null;
        }

        Integer intOrNull(String name) {
            return values.containsKey(name) ? (int) num(name) : null;
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
