package dev.faultline.collector.host;

/**
 * The KVM capabilities Faultline asks about with {@code KVM_CHECK_EXTENSION} on /dev/kvm: numbers from
 * include/uapi/linux/kvm.h, meanings from Documentation/virt/kvm/api.rst. A kernel that does not know a
 * capability answers 0, as one that has it switched off does.
 */
public enum KvmCap {
    USER_MEMORY2(231, "KVM_SET_USER_MEMORY_REGION2: memslots that can name a guest_memfd"),
    MEMORY_ATTRIBUTES(233, "KVM_SET_MEMORY_ATTRIBUTES; the answer is the supported attribute bits (PRIVATE = 0x8)"),
    GUEST_MEMFD(234, "KVM_CREATE_GUEST_MEMFD: private memory that userspace cannot map"),
    VM_TYPES(235, "the VM types KVM_CREATE_VM accepts, one bit per type"),
    PRE_FAULT_MEMORY(236, "KVM_PRE_FAULT_MEMORY: populate guest memory ahead of the guest"),
    GUEST_MEMFD_FLAGS(244, "the guest_memfd creation flags this kernel accepts (MMAP = 0x1, INIT_SHARED = 0x2)");

    /** KVM_MEMORY_ATTRIBUTE_PRIVATE. */
    public static final long ATTRIBUTE_PRIVATE = 1L << 3;

    private final int number;
    private final String meaning;

    KvmCap(int number, String meaning) {
        this.number = number;
        this.meaning = meaning;
    }

    public int number() {
        return number;
    }

    public String meaning() {
        return meaning;
    }

    /** The uapi name, as a KVM developer would grep for it. */
    public String uapiName() {
        return "KVM_CAP_" + name();
    }
}
