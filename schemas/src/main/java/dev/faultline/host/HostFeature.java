package dev.faultline.host;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a host must offer for a kind of event to occur there when collected live. Rules name the ones
 * their events need ({@code requires:} in rules/*.yaml), so {@code faultline doctor} can say which rules
 * get no data from a host; a replayed trace is judged whatever host it is read on.
 */
public enum HostFeature {
    GUEST_MEMFD("guest_memfd files: their creation, binding to memslots, punch-holes and page-cache pages"),
    MEMORY_ATTRIBUTES("KVM_SET_MEMORY_ATTRIBUTES: guest memory converted between private and shared"),
    PRIVATE_VM("a VM type with private memory (software-protected, SEV-SNP or TDX)"),
    SEV_VM("SEV or SEV-ES VMs: encrypted, without private memory"),
    PAGE_FAULTS("kvm_page_fault: the nested-paging faults the CPU reports"),
    HYPERCALLS("kvm_hypercall: the guest's hypercalls, MAP_GPA_RANGE among them"),
    MMU_EVENTS("kvmmmu tracepoints: the level of each guest mapping KVM installs"),
    PAGE_CACHE_EVENTS("filemap tracepoints: guest_memfd pages added, removed and faulted by the host"),
    BPF_HELPER("the bpftrace helper: memslot, attribute, guest_memfd and population structs");

    private final String meaning;

    HostFeature(String meaning) {
        this.meaning = meaning;
    }

    /** The name rule files use: guest_memfd, private_vm, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String meaning() {
        return meaning;
    }

    public static Optional<HostFeature> byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id().equals(id)).findFirst();
    }
}
