package dev.faultline.collector.resolve;

/** KVM ioctl command numbers (docs/design.md §4) and the BPF helper line describing each. */
enum KvmIoctl {
    CREATE_VM(0xae01L, "faultline_create_vm"),
    CREATE_VCPU(0xae41L, "faultline_create_vcpu"),
    RUN(0xae80L, null),
    SET_USER_MEMORY_REGION(0x4020ae46L, "faultline_set_memslot"),
    SET_USER_MEMORY_REGION2(0x40a0ae49L, "faultline_set_memslot"),
    CREATE_GUEST_MEMFD(0xc040aed4L, "faultline_create_guest_memfd"),
    SET_MEMORY_ATTRIBUTES(0x4020aed2L, "faultline_set_memory_attributes"),
    PRE_FAULT_MEMORY(0xc040aed5L, "faultline_populate"),
    MEMORY_ENCRYPT_OP(0xc008aebaL, "faultline_populate");

    final long cmd;
    /** The helper line that carries this call's argument struct; null if the plain line says all. */
    final String helperOp;

    KvmIoctl(long cmd, String helperOp) {
        this.cmd = cmd;
        this.helperOp = helperOp;
    }

    static KvmIoctl of(long cmd) {
        for (KvmIoctl k : values()) {
            if (k.cmd == cmd) {
                return k;
            }
        }
        return null;
    }

    /** The call a standalone helper line stands for. */
    static KvmIoctl forHelper(String op) {
        return switch (op) {
            case "faultline_create_vm" -> CREATE_VM;
            case "faultline_create_vcpu" -> CREATE_VCPU;
            case "faultline_create_guest_memfd" -> CREATE_GUEST_MEMFD;
            case "faultline_set_memslot" -> SET_USER_MEMORY_REGION2;
            case "faultline_set_memory_attributes" -> SET_MEMORY_ATTRIBUTES;
            case "faultline_populate" -> PRE_FAULT_MEMORY;
            default -> throw new IllegalArgumentException("not a helper line: " + op);
        };
    }
}
