package dev.faultline.collector.parse;

import java.util.Map;

/**
 * What a payload parser makes of a line that is not itself an event body: inputs of the VM
 * resolver (syscalls, helper lines, process exits) or a parsed line the collector does not forward.
 */
public sealed interface Decoded extends Payload {

    /** {@code sys_ioctl(fd: 5, cmd: 0x..., arg: 0x...)}: the named arguments as numbers. */
    record SyscallEnter(String name, Map<String, Long> args) implements Decoded {
        public long arg(String key) {
            return required(args, key, name);
        }
    }

    /** {@code sys_ioctl -> 0x5}; negative errors print as 64-bit two's complement. */
    record SyscallExit(String name, long ret) implements Decoded {
    }

    /** A {@code faultline_*} line of the BPF helper (docs/design.md §4), fields by name. */
    record HelperCall(String op, Map<String, String> fields) implements Decoded {
        public long num(String key) {
            return new Cursor(text(key)).number();
        }

        public Long numOrNull(String key) {
            return fields.containsKey(key) ? num(key) : null;
        }

        public String text(String key) {
            return required(fields, key, op);
        }
    }

    /** {@code sched_process_exit}: the thread ended; {@code groupDead} when the whole process did. */
    record ProcessExit(int pid, boolean groupDead) implements Decoded {
    }

    /** Parsed and understood, but not an event the analyser needs (e.g. kvm_emulate_insn). */
    record NotForwarded() implements Decoded {
    }

    NotForwarded NOT_FORWARDED = new NotForwarded();

    /** A named field that must be there; a {@link PayloadException} naming the line's event if not. */
    private static <V> V required(Map<String, V> fields, String key, String event) {
        V v = fields.get(key);
        if (v == null) {
            throw new PayloadException(event + " has no field '" + key + "'");
        }
        return v;
    }
}
