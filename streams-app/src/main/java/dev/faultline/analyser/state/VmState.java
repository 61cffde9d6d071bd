package dev.faultline.analyser.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the analyser knows of one VM, besides its GFN intervals: type, memslots and their gmem
 * bindings, gmem files, counters. Stored per VM id in the {@code vm-state} store as JSON.
 */
public final class VmState {
    /** VmType name; UNKNOWN when the trace did not show the VM's creation. */
    public String vmType = "UNKNOWN";
    public String host;
    /** The capture began while the VM ran: its set-up before {@link #firstTsNs} is unknown (VmCreated.attached). */
    public boolean attached;
    public boolean destroyed;
    /** A vCPU has run (the trace showed a per-vCPU event): set-up before launch is over. */
    public boolean guestStarted;
    /**
     * Memslots with known details, by "addressSpace:slot": kept in a store of their own ({@link MemslotStore}),
     * loaded here by {@link VmView}; read from a VM state of state release 0 or 1, which held them inline, and
     * never written with the VM's state again.
     */
    @JsonProperty(access = JsonProperty.Access.WRITE_ONLY)
    public Map<String, Memslot> memslots = new TreeMap<>();
    /** Whether {@link #memslots} holds the VM's slots from their store (not stored). */
    @JsonIgnore
    transient boolean memslotsLoaded;
    /** Memslot changes seen without their struct (plain ioctl lines, no BPF helper): bindings are then uncertain. */
    public int opaqueMemslotChanges;
    /** guest_memfd files by fd. */
    public Map<Integer, GmemFile> gmem = new TreeMap<>();
    public Map<String, Long> counters = new TreeMap<>();
    /** Kernel time of the VM's first and last event: the span its counters' rates are over. */
    public long firstTsNs = Long.MIN_VALUE;
    public long lastTsNs = Long.MIN_VALUE;
    /** Attribute changes kept in the history store, and the time before which history was dropped. */
    public long historyEntries;
    public long historyHorizonNs = Long.MIN_VALUE;
    /**
     * Alerts raised per rule (repeats folded into one), how many the alert log keeps (AlertLog), and the first
     * time of the newest alert it dropped: its trim starts there, past the deleted keys a store scan would
     * otherwise step over one by one.
     */
    public Map<String, Long> alertsPerRule = new TreeMap<>();
    public long alertsKept;
    public long alertsHorizonNs = Long.MIN_VALUE;

    /** One memslot; a gmem binding when gmemFd is set. */
    public static final class Memslot {
        public int addressSpace;
        public int slot;
        public long flags;
        public long gpa;
        public long size;
        public long userspaceAddr;
        public Integer gmemFd;
        public Long gmemInode;
        public long gmemOffset;

        @JsonIgnore
        public boolean isGmemBound() {
            return gmemFd != null;
        }

        @JsonIgnore
        public long baseGfn() {
            return gpa >>> 12;
        }

        @JsonIgnore
        public long npages() {
            return size >>> 12;
        }

        /** First gmem page index bound (gmem.index in docs/design.md §7). */
        @JsonIgnore
        public long index() {
            return gmemOffset >>> 12;
        }
    }

    /** A guest_memfd file. */
    public static final class GmemFile {
        public int fd;
        public Long inode;
        public Long size;
        public Long flags;
    }

    @JsonIgnore
    public long alertsTotal() {
        return alertsPerRule.values().stream().mapToLong(Long::longValue).sum();
    }

    public void count(String counter) {
        counters.merge(counter, 1L, Long::sum);
    }

    /** Each counter per second of the VM's observed span; empty until two moments are seen. */
    public Map<String, Double> rates() {
        Map<String, Double> out = new TreeMap<>();
        if (firstTsNs == Long.MIN_VALUE || lastTsNs <= firstTsNs) {
            return out;
        }
        double secs = (lastTsNs - firstTsNs) / 1e9;
        counters.forEach((k, v) -> out.put(k, v / secs));
        return out;
    }

    /** Adds or replaces the memslot under {@code key} ("addressSpace:slot"), keeping the lookups' index. */
    public void putMemslot(String key, Memslot slot) {
        Memslot old = memslots.put(key, slot);
        if (index != null) {
            if (old != null) {
                index.remove(old);
            }
            index.add(slot);
        }
    }

    public void removeMemslot(String key) {
        Memslot old = memslots.remove(key);
        if (old != null && index != null) {
            index.remove(old);
        }
    }

    /** The gmem-bound memslots of a gmem file (matched by inode when known, else by fd). */
    public List<Memslot> bindingsOf(Integer fd, Long inode) {
        if (inode == null) {
            return List.copyOf(index().byFd.getOrDefault(fd, List.of()));
        }
        List<Memslot> out = new ArrayList<>(index().byInode.getOrDefault(inode, List.of()));
        // a slot bound without a known inode still matches by fd
        List<Memslot> byFdOnly = index().byFd.getOrDefault(fd, List.of()).stream().filter(m -> m.gmemInode == null).toList();
        if (!byFdOnly.isEmpty()) {
            out.addAll(byFdOnly);
            out.sort(KEY_ORDER);
        }
        return out;
    }

    /** The memslot (address space 0) whose GFNs hold {@code gfn}; null when none with known details does. */
    public Memslot memslotFor(long gfn) {
        Map.Entry<Long, Memslot> e = index().byBaseGfn.floorEntry(gfn);
        // KVM refuses overlapping memslots in an address space, so the nearest slot below is the only candidate
        return e != null && Long.compareUnsigned(gfn - e.getKey(), e.getValue().npages()) < 0 ? e.getValue() : null;
    }

    /** The GFN that gmem page {@code page} of {@code inode} backs, through the file's bindings; null if unbound. */
    public Long gfnOfGmemPage(long inode, long page) {
        for (Memslot m : index().byInode.getOrDefault(inode, List.of())) {
            if (Long.compareUnsigned(page - m.index(), m.npages()) < 0 && Long.compareUnsigned(page, m.index()) >= 0) {
                return m.baseGfn() + page - m.index();
            }
        }
        return null;
    }

    /**
     * Where the memslots are, for lookups by GFN and by gmem file: built from {@link #memslots} at first use
     * and kept in step by {@link #putMemslot} and {@link #removeMemslot}. A scan per lookup made a guest with
     * thousands of memslots quadratic (30 000 one-page slots: 15.7 s where 10 000 took 3.6 s). Not stored.
     */
    private transient MemslotIndex index;

    private MemslotIndex index() {
        if (index == null) {
            index = new MemslotIndex();
            memslots.values().forEach(index::add);
        }
        return index;
    }

    /** The order of {@link #memslots}' keys ("addressSpace:slot" as text), which lookups have always answered in. */
    private static final java.util.Comparator<Memslot> KEY_ORDER = java.util.Comparator.comparing(m -> m.addressSpace + ":" + m.slot);

    /** Inserts into a list kept in key order. */
    private static void insert(List<Memslot> sorted, Memslot m) {
        int at = java.util.Collections.binarySearch(sorted, m, KEY_ORDER);
        sorted.add(at < 0 ? -at - 1 : at, m);
    }

    private static final class MemslotIndex {
        final TreeMap<Long, Memslot> byBaseGfn = new TreeMap<>(Long::compareUnsigned);
        final Map<Long, List<Memslot>> byInode = new java.util.HashMap<>();
        final Map<Integer, List<Memslot>> byFd = new java.util.HashMap<>();

        void add(Memslot m) {
            if (m.addressSpace == 0 && m.npages() > 0) {
                byBaseGfn.put(m.baseGfn(), m);
            }
            if (m.isGmemBound()) {
                insert(byFd.computeIfAbsent(m.gmemFd, k -> new ArrayList<>()), m);
                if (m.gmemInode != null) {
                    insert(byInode.computeIfAbsent(m.gmemInode, k -> new ArrayList<>()), m);
                }
            }
        }

        void remove(Memslot m) {
            if (m.addressSpace == 0 && m.npages() > 0) {
                byBaseGfn.remove(m.baseGfn(), m);
            }
            if (m.isGmemBound()) {
                byFd.computeIfPresent(m.gmemFd, (k, l) -> l.remove(m) && l.isEmpty() ? null : l);
                if (m.gmemInode != null) {
                    byInode.computeIfPresent(m.gmemInode, (k, l) -> l.remove(m) && l.isEmpty() ? null : l);
                }
            }
        }
    }

    public GmemFile gmemFile(Integer fd, Long inode) {
        if (inode != null) {
            for (GmemFile f : gmem.values()) {
                if (inode.equals(f.inode)) {
                    return f;
                }
            }
        }
        return fd == null ? null : gmem.get(fd);
    }
}
