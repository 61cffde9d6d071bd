package dev.faultline.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import dev.faultline.analyser.query.GfnRange;
import dev.faultline.analyser.query.VmFacts;
import dev.faultline.analyser.query.VmReader;
import dev.faultline.analyser.rules.RuleMeta;
import java.util.List;
import java.util.Map;

/** The JSON shapes the API answers with (documented in docs/api.md). */
final class VmJson {
    private VmJson() {
    }

    record VmListEntry(String id, String type, String host, boolean attached, boolean destroyed, int memslots, int gmemFiles,
            long lastTsNs, long alerts, Map<String, Long> alertsPerRule) {
        static VmListEntry of(VmFacts s) {
            return new VmListEntry(s.id(), s.type(), s.host(), s.attached(), s.destroyed(), s.memslots().size(), s.gmem().size(),
                    s.lastTsNs(), s.alertsTotal(), s.alertsPerRule());
        }
    }

    /** A memslot with its GFN range and, when gmem-bound, the gmem pages behind it. */
    record Memslot(int addressSpace, int slot, String flags, String gpa, long size, String firstGfn, String lastGfn,
            long pages, String userspaceAddr, Integer gmemFd, String gmemInode, String gmemOffset, String gmemFirstPage) {
        static Memslot of(VmFacts.MemslotFacts m) {
            boolean bound = m.bound();
            return new Memslot(m.addressSpace(), m.slot(), hex(m.flags()), hex(m.gpa()), m.size(), hex(m.baseGfn()),
                    hex(m.baseGfn() + Math.max(m.pages(), 1) - 1), m.pages(), hex(m.userspaceAddr()), m.gmemFd(),
                    m.gmemInode() == null ? null : hex(m.gmemInode()), bound ? hex(m.gmemOffset()) : null,
                    bound ? hex(m.gmemFirstPage()) : null);
        }
    }

    record Memslots(String vm, List<Memslot> memslots, List<VmFacts.GmemFileFacts> gmem, int opaqueMemslotChanges) {
        static Memslots of(VmFacts s) {
            return new Memslots(s.id(), s.memslots().stream().map(Memslot::of).toList(), s.gmem(), s.opaqueMemslotChanges());
        }
    }

    /** The newest alerts first, each with its evidence. */
    record Alerts(String vm, long total, Map<String, Long> perRule, List<JsonNode> alerts, boolean truncated) {
        static Alerts of(VmFacts s, List<Alert> newestFirst) {
            long total = s.alertsTotal();
            return new Alerts(s.id(), total, s.alertsPerRule(),
                    newestFirst.stream().map(a -> (JsonNode) AlertJson.of(a)).toList(), total > newestFirst.size());
        }
    }

    record Rule(String id, String description, String priority, List<String> tags, boolean enabled, String file) {
        static Rule of(RuleMeta m) {
            return new Rule(m.id(), m.desc(), m.priority().name().toLowerCase(), m.tags(), m.enabled(), m.file());
        }
    }

    record VmSummary(String id, String type, String host, boolean attached, boolean destroyed, boolean guestStarted, long firstTsNs,
            long lastTsNs, List<VmFacts.MemslotFacts> memslots, List<VmFacts.GmemFileFacts> gmem, Map<String, Long> counters,
            long historyEntries, long historyHorizonNs) {
        static VmSummary of(VmFacts s) {
            return new VmSummary(s.id(), s.type(), s.host(), s.attached(), s.destroyed(), s.guestStarted(), s.firstTsNs(), s.lastTsNs(),
                    s.memslots(), s.gmem(), s.counters(), s.historyEntries(), s.historyHorizonNs());
        }
    }

    /** One GFN now or at a time; {@code attributes} is null when the time is before the kept history. */
    record GfnAnswer(String vm, String gfn, Long at, Long attributes, @JsonProperty("private") Boolean private_, Integer memslot) {
        static GfnAnswer of(VmReader view, long gfn, Long at) {
            Long attrs = at == null ? (Long) view.attributes(gfn) : view.attributesAt(gfn, at);
            VmFacts.MemslotFacts slot = view.memslotFor(gfn);
            return new GfnAnswer(view.vm(), hex(gfn), at, attrs, attrs == null ? null : (attrs & VmReader.ATTR_PRIVATE) != 0,
                    slot == null ? null : slot.slot());
        }
    }

    record Range(String first, String last, long pages, long attributes, @JsonProperty("private") boolean private_) {
        static Range of(GfnRange i) {
            return new Range(hex(i.first()), hex(i.last()), i.pages(), i.value(), (i.value() & VmReader.ATTR_PRIVATE) != 0);
        }
    }

    record Span(String first, String last) {
        static Span of(GfnRange i) {
            return new Span(hex(i.first()), hex(i.last()));
        }
    }

    /**
     * {@code at} is null for now; {@code ranges} is null when {@code at} is before the kept history;
     * {@code populated} (gmem pages populated, through their bindings, and launched pages) only for now.
     */
    record Ranges(String vm, String first, String last, Long at, List<Range> ranges, List<Span> populated,
            boolean truncated) {
    }

    record Error(int status, String error) {
    }

    static String hex(long gfn) {
        return "0x" + Long.toHexString(gfn);
    }
}
