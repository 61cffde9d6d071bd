package dev.faultline.collector.parse;

import java.util.Locale;
import java.util.Map;

/**
 * Exit reasons as the kernel names them (5.8 on), whoever printed the line. The kernel prints VMX reasons upper
 * case ({@code EPT_VIOLATION}; a failed VM entry as {@code INVALID_STATE FAILED_VMENTRY}), SVM reasons lower
 * case ({@code npf}, {@code io}) and an unnamed reason as {@code 0x..}; before 5.8 a failed entry printed the raw
 * value ({@code 0x80000021}). trace-cmd's kvm plugin prints the same VMX names, SVM names from the constants
 * ({@code EXIT_NPF}, {@code EXIT_IOIO}) and an unnamed reason, a failed entry included, as {@code UNKNOWN (decimal)}.
 * All of these become the 5.8 kernel's text, so one exit is one event whoever printed it.
 */
final class ExitReasons {
    /** The plugin's SVM names whose kernel name is not the constant's lower-case tail. */
    private static final Map<String, String> SVM_RENAMED = Map.of("EXIT_INTR", "interrupt", "EXIT_IOIO", "io",
            "EXIT_VMMCALL", "hypercall", "EXIT_ERR", "invalid_guest_state");
    /** VMX basic exit reasons (arch/x86/include/uapi/asm/vmx.h), for a failed entry printed as a number. */
    private static final String[] VMX = new String[78];
    private static final long VMX_FAILED_VMENTRY = 0x80000000L;

    static {
        String[][] named = {{"0", "EXCEPTION_NMI"}, {"1", "EXTERNAL_INTERRUPT"}, {"2", "TRIPLE_FAULT"}, {"3", "INIT_SIGNAL"},
            {"4", "SIPI_SIGNAL"}, {"7", "INTERRUPT_WINDOW"}, {"8", "NMI_WINDOW"}, {"9", "TASK_SWITCH"}, {"10", "CPUID"},
            {"12", "HLT"}, {"13", "INVD"}, {"14", "INVLPG"}, {"15", "RDPMC"}, {"16", "RDTSC"}, {"18", "VMCALL"},
            {"19", "VMCLEAR"}, {"20", "VMLAUNCH"}, {"21", "VMPTRLD"}, {"22", "VMPTRST"}, {"23", "VMREAD"},
            {"24", "VMRESUME"}, {"25", "VMWRITE"}, {"26", "VMOFF"}, {"27", "VMON"}, {"28", "CR_ACCESS"},
            {"29", "DR_ACCESS"}, {"30", "IO_INSTRUCTION"}, {"31", "MSR_READ"}, {"32", "MSR_WRITE"},
            {"33", "INVALID_STATE"}, {"34", "MSR_LOAD_FAIL"}, {"36", "MWAIT_INSTRUCTION"}, {"37", "MONITOR_TRAP_FLAG"},
            {"39", "MONITOR_INSTRUCTION"}, {"40", "PAUSE_INSTRUCTION"}, {"41", "MCE_DURING_VMENTRY"},
            {"43", "TPR_BELOW_THRESHOLD"}, {"44", "APIC_ACCESS"}, {"45", "EOI_INDUCED"}, {"46", "GDTR_IDTR"},
            {"47", "LDTR_TR"}, {"48", "EPT_VIOLATION"}, {"49", "EPT_MISCONFIG"}, {"50", "INVEPT"}, {"51", "RDTSCP"},
            {"52", "PREEMPTION_TIMER"}, {"53", "INVVPID"}, {"54", "WBINVD"}, {"55", "XSETBV"}, {"56", "APIC_WRITE"},
            {"57", "RDRAND"}, {"58", "INVPCID"}, {"59", "VMFUNC"}, {"60", "ENCLS"}, {"61", "RDSEED"}, {"62", "PML_FULL"},
            {"63", "XSAVES"}, {"64", "XRSTORS"}, {"67", "UMWAIT"}, {"68", "TPAUSE"}, {"74", "BUS_LOCK"}, {"75", "NOTIFY"},
            {"77", "TDCALL"}};
        for (String[] n : named) {
            VMX[Integer.parseInt(n[0])] = n[1];
        }
    }

    /** SVM exit codes the kernel names (arch/x86/include/uapi/asm/svm.h), for a reason given as a number. */
    private static final Map<Long, String> SVM = svmNames();

    private ExitReasons() {
    }

    private static Map<Long, String> svmNames() {
        Map<Long, String> m = new java.util.HashMap<>();
        Object[][] named = {{0x000L, "read_cr0"}, {0x003L, "read_cr3"}, {0x004L, "read_cr4"}, {0x008L, "read_cr8"},
            {0x010L, "write_cr0"}, {0x013L, "write_cr3"}, {0x014L, "write_cr4"}, {0x018L, "write_cr8"},
            {0x060L, "interrupt"}, {0x061L, "nmi"}, {0x062L, "smi"}, {0x063L, "init"}, {0x064L, "vintr"},
            {0x065L, "cr0_sel_write"}, {0x072L, "cpuid"}, {0x076L, "invd"}, {0x077L, "pause"}, {0x078L, "hlt"},
            {0x079L, "invlpg"}, {0x07aL, "invlpga"}, {0x07bL, "io"}, {0x07cL, "msr"}, {0x07dL, "task_switch"},
            {0x07fL, "shutdown"}, {0x080L, "vmrun"}, {0x081L, "hypercall"}, {0x082L, "vmload"}, {0x083L, "vmsave"},
            {0x084L, "stgi"}, {0x085L, "clgi"}, {0x086L, "skinit"}, {0x087L, "rdtscp"}, {0x089L, "wbinvd"},
            {0x08aL, "monitor"}, {0x08bL, "mwait"}, {0x08dL, "xsetbv"}, {0x400L, "npf"}, {0x401L, "avic_incomplete_ipi"},
            {0x402L, "avic_unaccelerated_access"}, {0x403L, "vmgexit"}, {0xffffffffL, "invalid_guest_state"}};
        for (Object[] n : named) {
            m.put((Long) n[0], (String) n[1]);
        }
        return m;
    }

    /** A VMX exit reason given as a number (raw fields), as the 5.8+ kernel prints it. */
    static String vmx(long raw) {
        int basic = (int) (raw & 0xffff);
        String name = basic < VMX.length && VMX[basic] != null ? VMX[basic] : "0x" + Integer.toHexString(basic);
        return (raw & VMX_FAILED_VMENTRY) != 0 ? name + " FAILED_VMENTRY" : name;
    }

    /** An SVM exit code given as a number: its kernel name, or hex (codes outside the common ones: see docs). */
    static String svm(long raw) {
        String name = SVM.get(raw & 0xffffffffL);
        return name != null ? name : "0x" + Long.toHexString(raw);
    }

    static String kernelName(String printed) {
        if (printed.startsWith("EXIT_")) {
            String renamed = SVM_RENAMED.get(printed);
            return renamed != null ? renamed : printed.substring(5).toLowerCase(Locale.ROOT);
        }
        if (printed.startsWith("UNKNOWN (") && printed.endsWith(")")) {
            return unnamed(number(printed.substring(9, printed.length() - 1), 10, printed));
        }
        if (printed.startsWith("0x") && printed.indexOf(' ') < 0) {
            return unnamed(number(printed.substring(2), 16, printed));
        }
        return printed;
    }

    /** A reason printed as a number: a failed VMX entry gets the 5.8 kernel's name, anything else its hex. */
    private static String unnamed(long value) {
        int basic = (int) (value & 0xffff);
        if ((value & VMX_FAILED_VMENTRY) != 0 && value >>> 32 == 0 && basic < VMX.length && VMX[basic] != null) {
            return VMX[basic] + " FAILED_VMENTRY";
        }
        return "0x" + Long.toHexString(value);
    }

    private static long number(String digits, int radix, String printed) {
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new PayloadException("bad exit reason '" + printed + "'");
        }
    }
}
