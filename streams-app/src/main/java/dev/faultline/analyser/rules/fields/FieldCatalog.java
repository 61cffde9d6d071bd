package dev.faultline.analyser.rules.fields;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.faultline.analyser.enrich.EnrichedEvent;
import dev.faultline.analyser.enrich.InvalidationFacts;
import dev.faultline.analyser.enrich.HugeMapping;
import dev.faultline.analyser.enrich.MapGpaRange;
import dev.faultline.analyser.enrich.MemslotChange;
import dev.faultline.analyser.state.VmView;
import dev.faultline.events.BodyFacts;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Populate;
import dev.faultline.events.SpteChanged;
import dev.faultline.analyser.state.VmState;
import dev.faultline.events.Hypercall;
import dev.faultline.events.PageFault;
import dev.faultline.events.Event;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.UserspaceExit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every field rules can use. {@code evt.*} comes from the event model itself: each body field of
 * every event type (Avro long → CEL uint: addresses, sizes and codes are unsigned 64-bit; int → int),
 * plus the header. The other groups are facts the analyser derives from its state.
 */
public final class FieldCatalog {
    /** Body fields that are signed counts or return values, not unsigned kernel quantities. */
    private static final Set<String> SIGNED = Set.of("ret", "count", "vm_type_raw", "errno");
    private static final FieldCatalog INSTANCE = new FieldCatalog();

    private final Map<String, Field> fields = new LinkedHashMap<>();

    public static FieldCatalog get() {
        return INSTANCE;
    }

    private FieldCatalog() {
        header();
        bodies();
        vm();
        fault();
        attr();
        mmio();
        req();
        inval();
        pf();
        slot();
        hc();
        gmem();
        populate();
        memslot();
        spte();
    }

    private void populate() {
        add("populate.repeat", SimpleType.BOOL, "Populate: a GFN of the range was already populated by launch update / pre-fault",
                e -> e.body() instanceof Populate ? repeatPopulate(e) : null);
    }

    private void memslot() {
        add("memslot.change", SimpleType.STRING, "MemslotSet: new, deleted, moved, resized, flags or unchanged (unbound if the struct is unknown)",
                e -> slotChange(e, c -> c.change));
        add("memslot.previous_gmem", SimpleType.BOOL, "MemslotSet: the slot it replaces was bound to a guest_memfd",
                e -> slotChange(e, c -> c.previousGmem));
        add("memslot.populated_private", SimpleType.BOOL, "MemslotSet: the replaced binding had populated private pages",
                e -> slotChange(e, c -> c.populatedPrivate));
        add("memslot.double_bound", SimpleType.BOOL, "MemslotSet: another slot binds an overlapping range of the same guest_memfd",
                e -> slotChange(e, c -> c.doubleBoundWith != null));
        add("memslot.other_slot", SimpleType.INT, "the other slot of a double binding",
                e -> slotChange(e, c -> c.doubleBoundWith == null ? null : (long) c.doubleBoundWith));
    }

    private void spte() {
        add("spte.present", SimpleType.BOOL, "SpteChanged: the new SPTE maps (has a permission bit)", e -> huge(e, h -> h.present));
        add("spte.mixed", SimpleType.BOOL, "SpteChanged: the GFN range of the mapping's level has mixed memory attributes",
                e -> huge(e, h -> h.mixed));
        add("spte.first", SimpleType.UINT, "first GFN the mapping covers", e -> huge(e, h -> uint(h.first)));
        add("spte.last", SimpleType.UINT, "last GFN the mapping covers", e -> huge(e, h -> uint(h.last)));
    }

    private static Object repeatPopulate(EnrichedEvent e) {
        BodyFacts.Gfns r = e.bodyFacts().gfns();
        return !r.empty() && !e.vm().launched(r.first(), r.last()).isEmpty();
    }

    private static Object slotChange(EnrichedEvent e, Function<MemslotChange, Object> get) {
        if (!(e.body() instanceof MemslotSet m)) {
            return null;
        }
        return get.apply(e.facts(MemslotChange.class, x -> new MemslotChange(m, x.vm())));
    }

    private static Object huge(EnrichedEvent e, Function<HugeMapping, Object> get) {
        if (!(e.body() instanceof SpteChanged s)) {
            return null;
        }
        return get.apply(e.facts(HugeMapping.class, x -> new HugeMapping(s, x.vm())));
    }

    public Field field(String name) {
        return fields.get(name);
    }

    /** How many fields there are: one more than the highest {@link Field#index}. */
    public int size() {
        return fields.size();
    }

    public Collection<Field> all() {
        return fields.values();
    }

    private void add(String name, CelType type, String doc, Function<EnrichedEvent, Object> get) {
        fields.put(name, new Field(name, type, doc, get, fields.size()));
    }

    private void header() {
        add("evt.type", SimpleType.STRING, "event type: the Avro body's record name (Mmio, PageFault, ...)",
                e -> ((SpecificRecord) e.body()).getSchema().getName());
        add("evt.seq", SimpleType.INT, "per-host sequence number", e -> e.event().getHeader().getSeq());
        add("evt.ts", SimpleType.INT, "kernel timestamp, ns", e -> e.event().getHeader().getKernelTsNs());
        add("evt.vm", SimpleType.STRING, "VM id", e -> e.event().getHeader().getVm());
        add("evt.host", SimpleType.STRING, "host name", e -> e.event().getHeader().getHost());
        add("evt.tid", SimpleType.INT, "thread id", e -> (long) e.event().getHeader().getTid());
        add("evt.vcpu", SimpleType.INT, "vCPU index when known", e -> asLong(e.event().getHeader().getVcpu()));
        add("evt.gfn", SimpleType.UINT, "the guest frame the event touches: GPA >> 12, the first of a range, or the body's gfn", e -> uint(e.gfn()));
        add("evt.gfn_last", SimpleType.UINT, "the last GFN of the range the event names (attributes, population, MAP_GPA_RANGE)",
                e -> uint(e.gfnLast()));
    }

    /**
     * evt.<field> for every body field of every event type, typed from the schema. A name several
     * bodies share gets one type: the widest number, or string when text and numbers mix
     * (evt.reason; UserspaceExit's number is also evt.exit_reason).
     */
    private void bodies() {
        Map<String, Set<Schema.Type>> kinds = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        for (Schema body : Event.getClassSchema().getField("body").schema().getTypes()) {
            for (Schema.Field f : body.getFields()) {
                kinds.computeIfAbsent(f.name(), k -> new java.util.HashSet<>()).add(valueType(f.schema()));
                owners.merge(f.name(), body.getName(), (a, b) -> a + ", " + b);
            }
        }
        kinds.forEach((name, k) -> {
            if (fields.containsKey("evt." + name)) {
                return; // a header field of that name (evt.gfn) is derived for every event and wins
            }
            CelType type = k.contains(Schema.Type.STRING) || k.contains(Schema.Type.ENUM) ? SimpleType.STRING
                    : k.contains(Schema.Type.LONG) ? (SIGNED.contains(name) ? SimpleType.INT : SimpleType.UINT)
                    : k.contains(Schema.Type.INT) ? SimpleType.INT : SimpleType.BOOL;
            add("evt." + name, type, "body field of " + owners.get(name), e -> bodyValue(e, name, type));
        });
        add("evt.exit_reason", SimpleType.INT, "UserspaceExit: the exit reason number (6 MMIO, 39 MEMORY_FAULT)",
                e -> e.body() instanceof UserspaceExit u && u.getReason() != null
                        ? Long.valueOf(u.getReason()) : null);
    }

    private void vm() {
        add("vm.type", SimpleType.STRING, "VM type: DEFAULT, SW_PROTECTED, SEV, SEV_ES, SEV_SNP, TDX, UNKNOWN",
                e -> e.vm().type().name());
        add("vm.private_memory", SimpleType.BOOL, "the VM type has private memory (SNP, TDX, software-protected)",
                e -> e.vm().hasPrivateMemory());
        add("vm.guest_started", SimpleType.BOOL, "a vCPU of the VM has run: launch-time set-up is over",
                e -> e.vm().state().guestStarted);
        add("vm.bindings_known", SimpleType.BOOL, "every memslot change was seen with its struct (no plain-ioctl-only"
                + " change) and since the VM was created (not attached mid-stream)",
                e -> e.vm().state().opaqueMemslotChanges == 0 && !e.vm().state().attached);
        add("vm.attached", SimpleType.BOOL, "the capture began while the VM ran (its creation is not in the trace):"
                + " its type and what it set up before are unknown", e -> e.vm().state().attached);
    }

    private void fault() {
        add("fault.on_gfn", SimpleType.BOOL, "the vCPU's last page fault was on this event's GFN",
                e -> e.gfn() != null && e.vcpu().lastFaultGfn != null && e.vcpu().lastFaultGfn.longValue() == e.gfn());
        add("fault.private", SimpleType.BOOL, "private-ness of the vCPU's last fault on this GFN (unbound if none or unknown)",
                EnrichedEvent::faultPrivate);
        add("fault.error_code", SimpleType.UINT, "error code of the vCPU's last fault",
                e -> e.vcpu().lastFaultGfn == null ? null : UnsignedLong.fromLongBits(e.vcpu().lastFaultErrorCode));
    }

    private void attr() {
        add("attr.value", SimpleType.UINT, "memory attributes of evt.gfn (0: shared)",
                e -> e.gfn() == null ? null : UnsignedLong.fromLongBits(e.vm().attributes(e.gfn())));
        add("attr.private", SimpleType.BOOL, "evt.gfn's attribute is PRIVATE",
                e -> e.gfn() == null ? null : e.vm().attributePrivate(e.gfn()));
    }

    private void req() {
        add("req.state", SimpleType.STRING, "the guest's last MAP_GPA_RANGE request for evt.gfn: private, shared or none",
                e -> {
                    if (e.gfn() == null) {
                        return null;
                    }
                    Long r = e.vm().requested(e.gfn());
                    return r == null ? "none" : r == VmView.REQUESTED_PRIVATE ? "private" : "shared";
                });
    }

    private void mmio() {
        add("mmio.completes_read", SimpleType.BOOL,
                "this read line completes an unsatisfied-read of the same GPA on the vCPU (one access, two lines)",
                e -> e.body() instanceof Mmio m ? m.getKind() == MmioKind.READ && e.vcpu().pendingReadGpa != null
                        && e.vcpu().pendingReadGpa == m.getGpa() : null);
    }

    private void inval() {
        add("inval.unaligned", SimpleType.BOOL, "punch-hole offset or length not 4 KiB aligned", e -> inval(e, f -> f.unaligned));
        add("inval.zero_length", SimpleType.BOOL, "punch-hole of length 0", e -> inval(e, f -> f.zeroLength));
        add("inval.wraps", SimpleType.BOOL, "offset + length wraps past 2^64", e -> inval(e, f -> f.wraps));
        add("inval.past_eof", SimpleType.BOOL, "the range ends past the file's size (false while the size is unknown)",
                e -> inval(e, f -> Boolean.TRUE.equals(f.pastEof)));
        add("inval.bound", SimpleType.BOOL, "the file has memslot bindings with known details", e -> inval(e, f -> f.bound));
        add("inval.runs_past_binding", SimpleType.BOOL, "the range overlaps a binding but does not fit in it (docs/design.md §7: the WARN of the guardedmem thread)",
                e -> inval(e, f -> f.runsPastBinding));
        add("inval.outside_bindings", SimpleType.BOOL, "part of the range is outside every binding of a bound file",
                e -> inval(e, f -> f.outsideBindings));
        add("inval.gfn_start", SimpleType.UINT, "first GFN of the first binding run past (docs/design.md §7: the clamping)",
                e -> inval(e, f -> uint(f.gfnStart)));
        add("inval.gfn_end", SimpleType.UINT, "last GFN of it", e -> inval(e, f -> uint(f.gfnEnd)));
        add("inval.discards_private", SimpleType.BOOL, "populated pages in the range back private GFNs (guest data destroyed)",
                e -> inval(e, f -> f.privatePagesDiscarded > 0));
        add("inval.private_pages", SimpleType.INT, "how many such pages", e -> inval(e, f -> f.privatePagesDiscarded));
        add("inval.problems", SimpleType.STRING, "what is wrong with the punch-hole, in words", e -> inval(e, f -> f.problems));
        add("inval.bindings", SimpleType.STRING, "the file's bindings, in words", e -> inval(e, f -> f.bindings));
    }

    private void pf() {
        add("pf.guest_enc", SimpleType.BOOL, "page-fault error code bit 34 PFERR_GUEST_ENC (set by AMD hardware on encrypted accesses)",
                e -> pfBit(e, 34));
        add("pf.private_access", SimpleType.BOOL, "error code bit 49 PFERR_PRIVATE_ACCESS (KVM-synthetic: SNP's private bit)",
                e -> pfBit(e, 49));
        add("pf.implicit", SimpleType.BOOL, "error code bit 48 (implicit access)", e -> pfBit(e, 48));
        add("pf.rmp", SimpleType.BOOL, "error code bit 31 (RMP violation)", e -> pfBit(e, 31));
        add("pf.write", SimpleType.BOOL, "error code bit 1 (write)", e -> pfBit(e, 1));
    }

    private void slot() {
        add("vm.memslots", SimpleType.INT, "memslots known with their details", e -> (long) e.vm().state().memslots.size());
        add("slot.known", SimpleType.BOOL, "a memslot with known details holds evt.gfn",
                e -> e.gfn() == null ? null : e.vm().state().memslotFor(e.gfn()) != null);
        add("slot.gmem_bound", SimpleType.BOOL, "the memslot holding evt.gfn is bound to a guest_memfd",
                e -> e.gfn() == null ? null : slotBound(e));
        add("slot.id", SimpleType.INT, "the memslot holding evt.gfn", e -> {
            VmState.Memslot m = e.gfn() == null ? null : e.vm().state().memslotFor(e.gfn());
            return m == null ? null : (long) m.slot;
        });
    }

    private void hc() {
        add("hc.map_gpa_range", SimpleType.BOOL, "a KVM_HC_MAP_GPA_RANGE hypercall (nr 0xc)",
                e -> e.body() instanceof Hypercall h ? h.getNr() == BodyFacts.MAP_GPA_RANGE : null);
        add("hc.unaligned", SimpleType.BOOL, "MAP_GPA_RANGE GPA not aligned to its page size", e -> mgr(e, m -> m.unaligned));
        add("hc.zero_size", SimpleType.BOOL, "MAP_GPA_RANGE of zero pages", e -> mgr(e, m -> m.zeroSize));
        add("hc.overflow", SimpleType.BOOL, "MAP_GPA_RANGE GPA + pages wraps past 2^64", e -> mgr(e, m -> m.overflow));
        add("hc.bad_attributes", SimpleType.BOOL, "MAP_GPA_RANGE attributes with unknown bits or page size",
                e -> mgr(e, m -> m.badAttributes));
        add("hc.outside_memory", SimpleType.BOOL, "MAP_GPA_RANGE not all inside known memslots (false while unknown)",
                e -> mgr(e, m -> Boolean.TRUE.equals(m.outsideMemory)));
        add("hc.to_private", SimpleType.BOOL, "MAP_GPA_RANGE asks for private (attribute bit 4)", e -> mgr(e, m -> m.toPrivate));
        add("hc.problems", SimpleType.STRING, "what is wrong with the MAP_GPA_RANGE request, in words", e -> mgr(e, m -> m.problems));
    }

    private void gmem() {
        add("gmem.gfn", SimpleType.UINT, "GmemHostFault/GmemPage*: the GFN the gmem page backs through its binding",
                e -> uint(gmemGfn(e)));
        add("gmem.private", SimpleType.BOOL, "the GFN that gmem page backs is private (false when unbound)", e -> {
            if (e.bodyFacts().gmem() == null) {
                return null;
            }
            Long gfn = gmemGfn(e);
            return gfn != null && e.vm().attributePrivate(gfn);
        });
    }

    /** The GFN a gmem page event's first page backs through its binding. */
    private static Long gmemGfn(EnrichedEvent e) {
        BodyFacts.GmemPages g = e.bodyFacts().gmem();
        return g == null ? null : e.vm().state().gfnOfGmemPage(g.inode(), g.first());
    }

    private static Object pfBit(EnrichedEvent e, int bit) {
        return e.body() instanceof PageFault f ? (f.getErrorCode() & (1L << bit)) != 0 : null;
    }

    private static Object slotBound(EnrichedEvent e) {
        VmState.Memslot m = e.vm().state().memslotFor(e.gfn());
        return m != null && m.isGmemBound();
    }

    private static Object mgr(EnrichedEvent e, Function<MapGpaRange, Object> get) {
        if (!(e.body() instanceof Hypercall h) || h.getNr() != BodyFacts.MAP_GPA_RANGE) {
            return null;
        }
        return get.apply(e.facts(MapGpaRange.class, x -> new MapGpaRange(h, x.vm().state())));
    }

    private static Object inval(EnrichedEvent e, Function<InvalidationFacts, Object> get) {
        if (!(e.body() instanceof GmemInvalidation g)) {
            return null;
        }
        return get.apply(e.facts(InvalidationFacts.class, x -> new InvalidationFacts(g, x.vm())));
    }

    private static Schema.Type valueType(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        return s.getType();
    }

    private static Object bodyValue(EnrichedEvent e, String field, CelType type) {
        SpecificRecord body = (SpecificRecord) e.body();
        Schema.Field f = body.getSchema().getField(field);
        if (f == null) {
            return null;
        }
        Object v = body.get(f.pos());
        if (v == null) {
            return null;
        }
        if (type == SimpleType.UINT) {
            return UnsignedLong.fromLongBits(((Number) v).longValue());
        }
        if (type == SimpleType.INT) {
            return ((Number) v).longValue();
        }
        if (type == SimpleType.BOOL) {
            return v;
        }
        return v.toString();
    }

    private static Long asLong(Integer v) {
        return v == null ? null : v.longValue();
    }

    private static UnsignedLong uint(Long v) {
        return v == null ? null : UnsignedLong.fromLongBits(v);
    }
}
