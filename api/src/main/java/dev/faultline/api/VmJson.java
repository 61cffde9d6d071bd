package dev.faultline.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.faultline.analyser.state.Interval;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import java.util.List;
import java.util.Map;

/** The JSON shapes the API answers with (documented in docs/api.md). */
final class VmJson {
    private VmJson() {
    }

    record VmListEntry(String id, String type, String host, boolean destroyed, int memslots, int gmemFiles, long lastTsNs) {
        static VmListEntry of(String id, VmState s) {
            return new VmListEntry(id, s.vmType, s.host, s.destroyed, s.memslots.size(), s.gmem.size(), s.lastTsNs);
        }
    }

    record VmSummary(String id, String type, String host, boolean destroyed, boolean guestStarted, long firstTsNs,
            long lastTsNs, List<VmState.Memslot> memslots, List<VmState.GmemFile> gmem, Map<String, Long> counters,
            long historyEntries, long historyHorizonNs) {
        static VmSummary of(String id, VmState s) {
            return new VmSummary(id, s.vmType, s.host, s.destroyed, s.guestStarted, s.firstTsNs, s.lastTsNs,
                    List.copyOf(s.memslots.values()), List.copyOf(s.gmem.values()), s.counters, s.historyEntries,
                    s.historyHorizonNs);
        }
    }

    /** One GFN now or at a time; {@code attributes} is null when the time is before the kept history. */
    record GfnAnswer(String vm, String gfn, Long at, Long attributes, @JsonProperty("private") Boolean private_, Integer memslot) {
        static GfnAnswer of(VmView view, long gfn, Long at) {
            Long attrs = at == null ? (Long) view.attributes(gfn) : view.attributesAt(gfn, at);
            VmState.Memslot slot = view.state().memslotFor(gfn);
            return new GfnAnswer(view.vm(), hex(gfn), at, attrs, attrs == null ? null : (attrs & VmView.ATTR_PRIVATE) != 0,
                    slot == null ? null : slot.slot);
        }
    }

    record Range(String first, String last, long pages, long attributes, @JsonProperty("private") boolean private_) {
        static Range of(Interval i) {
            return new Range(hex(i.first()), hex(i.last()), i.pages(), i.value(), (i.value() & VmView.ATTR_PRIVATE) != 0);
        }
    }

    record Ranges(String vm, String first, String last, List<Range> ranges, boolean truncated) {
    }

    record Error(int status, String error) {
    }

    static String hex(long gfn) {
        return "0x" + Long.toHexString(gfn);
    }
}
