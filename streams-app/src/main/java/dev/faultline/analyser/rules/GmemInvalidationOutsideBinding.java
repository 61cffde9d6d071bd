package dev.faultline.analyser.rules;

import static dev.faultline.analyser.rules.Evidences.hex;

import dev.faultline.analyser.enrich.EnrichedEvent;
import dev.faultline.analyser.state.VmState;
import dev.faultline.events.GmemInvalidation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code gmem-invalidation-outside-binding}: a punch-hole on a guest_memfd that is unaligned, runs
 * past the file's end, or is not fully inside the file's bindings. Seed 004: the invalidation
 * walks the bindings overlapping [start, end) and, for each, invalidates GFNs
 * {@code base_gfn + max(start, index) - index .. base_gfn + min(end - index, npages)}; a range
 * that runs past a binding hit the {@code WARN_ON_ONCE(start < index || end > index + npages)}
 * and skipped that binding's invalidation entirely.
 */
public final class GmemInvalidationOutsideBinding implements Rule {
    public static final String ID = "gmem-invalidation-outside-binding";
    private static final long PAGE = 4096;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<Finding> evaluate(EnrichedEvent e) {
        if (!(e.body() instanceof GmemInvalidation g)) {
            return Optional.empty();
        }
        VmState s = e.vm().state();
        long offset = g.getOffset();
        long length = g.getLength();
        List<String> problems = new ArrayList<>();
        if (offset % PAGE != 0 || length % PAGE != 0) {
            problems.add("unaligned (offset " + hex(offset) + ", length " + hex(length) + ")");
        }
        if (length == 0) {
            problems.add("zero length");
        }
        long endByte = offset + length;
        boolean wraps = Long.compareUnsigned(endByte, offset) < 0;
        if (wraps) {
            problems.add("offset + length wraps past 2^64");
            endByte = -1L;
        }
        VmState.GmemFile file = s.gmemFile(g.getFd(), g.getInode());
        if (file != null && file.size != null && Long.compareUnsigned(endByte, file.size) > 0) {
            problems.add("ends at " + hex(endByte) + ", past the file's end " + hex(file.size));
        }

        // Pages [start, end) of the file, against each binding [index, index + npages).
        long start = offset >>> 12;
        long end = wraps ? (-1L >>> 12) + 1 : (endByte + PAGE - 1) >>> 12;
        Long gfnStart = null;
        Long gfnEnd = null;
        List<VmState.Memslot> bindings = s.bindingsOf(g.getFd(), g.getInode());
        if (!bindings.isEmpty()) {
            long covered = 0;
            for (VmState.Memslot b : bindings) {
                long index = b.index();
                long bindEnd = index + b.npages();
                long lo = Math.max(start, index);
                long hi = Math.min(end, bindEnd);
                if (lo >= hi) {
                    continue;
                }
                covered += hi - lo;
                if (start < index || end > bindEnd) {
                    // the GFNs this binding does cover, by seed 004's clamped arithmetic
                    long first = b.baseGfn() + lo - index;
                    long last = b.baseGfn() + Math.min(end - index, b.npages()) - 1;
                    problems.add("pages [" + hex(start) + ", " + hex(end) + ") run past binding slot " + b.slot
                            + " (gmem pages [" + hex(index) + ", " + hex(bindEnd) + ") at GFN " + hex(b.baseGfn()) + ")");
                    if (gfnStart == null) {
                        gfnStart = first;
                        gfnEnd = last;
                    }
                }
            }
            if (covered < end - start && problems.stream().noneMatch(p -> p.contains("run past"))) {
                problems.add("pages [" + hex(start) + ", " + hex(end) + ") are outside every binding of the file");
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> state = new LinkedHashMap<>();
        state.put("gmem_fd", String.valueOf(g.getFd()));
        state.put("gmem_inode", g.getInode() == null ? "unknown" : hex(g.getInode()));
        state.put("file_size", file == null || file.size == null ? "unknown" : hex(file.size));
        state.put("bindings", describe(bindings));
        if (s.opaqueMemslotChanges > 0) {
            state.put("memslot_changes_without_detail", String.valueOf(s.opaqueMemslotChanges));
        }
        String msg = "punch-hole on gmem fd " + g.getFd() + " [" + hex(offset) + ", +" + hex(length) + ") "
                + String.join("; ", problems);
        return Optional.of(new Finding(ID, gfnStart, gfnEnd, msg,
                List.of(Evidences.of(e.event(), "fallocate mode " + g.getMode() + " offset " + hex(offset) + " len " + hex(length))),
                state));
    }

    private static String describe(List<VmState.Memslot> bindings) {
        if (bindings.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        for (VmState.Memslot b : bindings) {
            out.add("slot " + b.slot + ": gmem " + hex(b.gmemOffset) + "+" + hex(b.size) + " at GPA " + hex(b.gpa));
        }
        return String.join(", ", out);
    }
}
