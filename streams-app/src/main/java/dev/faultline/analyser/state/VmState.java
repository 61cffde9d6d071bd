package dev.faultline.analyser.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
    public boolean destroyed;
    /** A vCPU has run (the trace showed a per-vCPU event): set-up before launch is over. */
    public boolean guestStarted;
    /** Memslots with known details, by "addressSpace:slot". */
    public Map<String, Memslot> memslots = new TreeMap<>();
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

        /** First gmem page index bound (gmem.index in seed 004). */
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

    /** The gmem-bound memslots of a gmem file (matched by inode when known, else by fd). */
    public List<Memslot> bindingsOf(Integer fd, Long inode) {
        List<Memslot> out = new ArrayList<>();
        for (Memslot m : memslots.values()) {
            if (!m.isGmemBound()) {
                continue;
            }
            boolean same = inode != null && m.gmemInode != null ? inode.equals(m.gmemInode) : m.gmemFd.equals(fd);
            if (same) {
                out.add(m);
            }
        }
        return out;
    }

    /** The memslot (address space 0) whose GFNs hold {@code gfn}; null when none with known details does. */
    public Memslot memslotFor(long gfn) {
        for (Memslot m : memslots.values()) {
            if (m.addressSpace == 0 && Long.compareUnsigned(gfn, m.baseGfn()) >= 0
                    && Long.compareUnsigned(gfn - m.baseGfn(), m.npages()) < 0) {
                return m;
            }
        }
        return null;
    }

    /** The GFN that gmem page {@code page} of {@code inode} backs, through the file's bindings; null if unbound. */
    public Long gfnOfGmemPage(long inode, long page) {
        for (Memslot m : memslots.values()) {
            if (m.isGmemBound() && m.gmemInode != null && m.gmemInode == inode
                    && Long.compareUnsigned(page - m.index(), m.npages()) < 0 && Long.compareUnsigned(page, m.index()) >= 0) {
                return m.baseGfn() + page - m.index();
            }
        }
        return null;
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
