package dev.faultline.analyser.query;

import dev.faultline.analyser.state.VmState;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One VM's state as the query API answers it: a copy in types of its own, so the analyser's store classes
 * can change without changing an answer (their JSON is the API's, docs/api.md).
 */
public record VmFacts(String id, String type, String host, boolean attached, boolean destroyed, boolean guestStarted, long firstTsNs,
        long lastTsNs, List<MemslotFacts> memslots, List<GmemFileFacts> gmem, int opaqueMemslotChanges,
        Map<String, Long> counters, long historyEntries, long historyHorizonNs, long alertsTotal,
        Map<String, Long> alertsPerRule) {

    /** A memslot with known details; bound to a guest_memfd when {@code gmemFd} is set. */
    public record MemslotFacts(int addressSpace, int slot, long flags, long gpa, long size, long userspaceAddr,
            Integer gmemFd, Long gmemInode, long gmemOffset) {
        public boolean bound() {
            return gmemFd != null;
        }

        public long baseGfn() {
            return gpa >>> 12;
        }

        public long pages() {
            return size >>> 12;
        }

        /** The first guest_memfd page it binds. */
        public long gmemFirstPage() {
            return gmemOffset >>> 12;
        }

        static MemslotFacts of(VmState.Memslot m) {
            return new MemslotFacts(m.addressSpace, m.slot, m.flags, m.gpa, m.size, m.userspaceAddr, m.gmemFd, m.gmemInode,
                    m.gmemOffset);
        }
    }

    /** A guest_memfd file by its fd in the VMM. */
    public record GmemFileFacts(int fd, Long inode, Long size, Long flags) {
        static GmemFileFacts of(VmState.GmemFile f) {
            return new GmemFileFacts(f.fd, f.inode, f.size, f.flags);
        }
    }

    static VmFacts of(String id, VmState s) {
        return new VmFacts(id, s.vmType, s.host, s.attached, s.destroyed, s.guestStarted, s.firstTsNs, s.lastTsNs,
                s.memslots.values().stream().map(MemslotFacts::of).toList(), s.gmem.values().stream().map(GmemFileFacts::of).toList(),
                s.opaqueMemslotChanges, sorted(s.counters), s.historyEntries, s.historyHorizonNs, s.alertsTotal(),
                sorted(s.alertsPerRule));
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
