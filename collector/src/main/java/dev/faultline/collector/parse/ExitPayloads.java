package dev.faultline.collector.parse;

import dev.faultline.events.VcpuExit;

/**
 * VM exits and entries in every text a kernel or trace-cmd prints for them (docs/trace-formats.md):
 * <pre>
 * kvm_exit   2.6.32 reason %s rip 0x%lx
 *            ≤5.3   reason %s rip 0x%lx info %llx %llx
 *            5.4    vcpu %u reason %s rip 0x%lx info %llx %llx
 *            5.8    vcpu %u reason %s%s%s rip 0x%lx info %llx %llx          (VMX flags: " FAILED_VMENTRY")
 *            5.10   vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x
 *            6.14   the same + " requests 0x%016llx"
 *            plugin reason %s rip 0x%llx[ func+0xoff][ info %llx %llx]   (trace-cmd report's default; UNKNOWN (%llu))
 * nested     ≤5.9   rip: 0x%016lx reason: %s ext_inf1: 0x%016llx ext_inf2: 0x%016llx ext_int: 0x%08x ext_int_err: 0x%08x
 *            5.10+  as kvm_exit from 5.10; the plugin (libtraceevent 1.6.3+) prints {@code <CANT FIND FIELD rip>} before it
 *            plugin ≤1.6.2 on ≤5.9: rip %llx reason %s info1 %llx info2 %llx int_info %llx int_info_err %llx
 * kvm_entry  ≤5.9   vcpu %u;  5.10 vcpu %u, rip 0x%lx;  6.9 + "[immediate exit]";
 *            6.14   vcpu %u, rip 0x%lx intr_info 0x%08x error_code 0x%08x%s;  plugin: vcpu %u rip 0x%llx
 * </pre>
 */
final class ExitPayloads {
    private ExitPayloads() {
    }

    static Object exit(Cursor c) {
        return exit(c, false);
    }

    static Object nestedExit(Cursor c) {
        c.accept("<CANT FIND FIELD rip>"); // libtraceevent's plugin fails on 5.10+ fields, then prints the kernel's text
        if (c.startsWithHere("rip:")) {
            long rip = c.expect("rip:").hex();
            String reason = ExitReasons.kernelName(c.expect("reason:").until(" ext_inf1:"));
            long info1 = c.expect("ext_inf1:").hex();
            long info2 = c.expect("ext_inf2:").hex();
            long intrInfo = c.expect("ext_int:").hex();
            long err = c.expect("ext_int_err:").hex();
            return new VcpuExit(null, reason, rip, info1, info2, intrInfo, err, null, true);
        }
        if (c.startsWithHere("rip ")) { // the plugin on kernels before 5.10
            long rip = c.expect("rip").hex();
            String reason = ExitReasons.kernelName(c.expect("reason").until(" info1 "));
            long info1 = c.expect("info1").hex();
            long info2 = c.expect("info2").hex();
            long intrInfo = c.expect("int_info").hex();
            long err = c.expect("int_info_err").hex();
            return new VcpuExit(null, reason, rip, info1, info2, intrInfo, err, null, true);
        }
        return exit(c, true);
    }

    private static Object exit(Cursor c, boolean nested) {
        Integer vcpu = c.accept("vcpu") ? c.intNumber() : null;
        String reason = ExitReasons.kernelName(c.expect("reason").until(" rip "));
        long rip = c.expect("rip").hex();
        skipSymbol(c);
        if (c.accept("info1")) {
            long info1 = c.hex();
            long info2 = c.expect("info2").hex();
            long intrInfo = c.expect("intr_info").hex();
            long err = c.expect("error_code").hex();
            Long requests = c.accept("requests") ? c.hex() : null;
            return new VcpuExit(vcpu, reason, rip, info1, info2, intrInfo, err, requests, nested);
        }
        if (c.atEnd()) { // 2.6.32: reason and rip only
            return new VcpuExit(vcpu, reason, rip, null, null, null, null, null, nested);
        }
        long info1 = c.expect("info").hex();
        long info2 = c.hex();
        return new VcpuExit(vcpu, reason, rip, info1, info2, null, null, null, nested);
    }

    /** The kvm plugin prints the guest's symbol after rip when it has kallsyms: {@code [sym+0x1f]} or {@code sym+0x1f}. */
    private static void skipSymbol(Cursor c) {
        if (!c.atEnd() && !c.startsWithHere("info")) {
            c.word();
        }
    }

    /** kvm_entry: read whole so a line that does not fit is counted, but not forwarded (exits carry the facts). */
    static Object entry(Cursor c) {
        c.expect("vcpu").number();
        if (c.accept(",") || c.startsWithHere("rip")) {
            c.expect("rip").hex();
            if (c.accept("intr_info")) {
                c.hex();
                c.expect("error_code").hex();
            }
        }
        c.accept("[immediate exit]");
        if (!c.atEnd()) {
            throw new PayloadException("unexpected text after kvm_entry's fields at column " + c.column());
        }
        return Decoded.NOT_FORWARDED;
    }
}
