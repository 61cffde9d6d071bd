package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.parse.LineParser;
import dev.faultline.collector.parse.PayloadParsers;
import dev.faultline.collector.parse.TraceLine;
import dev.faultline.collector.source.SourceThread;
import dev.faultline.collector.source.tracefs.EventFilters;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.collector.source.tracefs.KernelTraceSource;
import dev.faultline.collector.source.tracefs.TracefsReader;
import dev.faultline.collector.source.tracefs.TracefsSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary reader against the kernel's own text: both capture the same real KVM workload at once, each
 * in its own tracefs instance, and must yield the same events, thread by thread in the same order: tgid,
 * CPU, comm, event and payload (syscall arguments compared as numbers: the text prints small ones in
 * decimal). Times differ by microseconds: each instance stamps its own copy of an event. Needs root, tracefs, /dev/kvm and gcc;
 * guest_memfd for the page-cache events (skipped and reported without it).
 */
class RawReaderMatchesTextIT {

    @Test
    void rawAndTextReadersSeeTheSameEvents(@TempDir Path tmp) throws Exception {
        KernelFeatures.requireRootAndTracefs();
        KernelFeatures.requireKvm();
        KernelFeatures.requireTool(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        Path workload = LiveCollector.workload(tmp);

        Map<String, String> filters = EventFilters.of(TracefsSession.STANDARD_EVENTS, "kvm_work*", EventFilters.anonInodeDev());
        List<String> raw = Collections.synchronizedList(new ArrayList<>());
        List<String> text = Collections.synchronizedList(new ArrayList<>());
        KernelTraceSource rawSource = TracefsReader.RAW.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 8192, filters);
        KernelTraceSource textSource = TracefsReader.TEXT.open(KernelFeatures.TRACEFS, TracefsSession.STANDARD_EVENTS, 8192, filters);
        Thread r = SourceThread.start(rawSource, raw::add);
        Thread t = SourceThread.start(textSource, text::add);
        assertThat(rawSource.awaitStarted(10_000)).isTrue();
        assertThat(textSource.awaitStarted(10_000)).isTrue();

        Process p = new ProcessBuilder(workload.toString(), "30").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        Thread.sleep(500);
        rawSource.stop();
        textSource.stop();
        r.join(30_000);
        t.join(30_000);
        assertThat(r.isAlive() || t.isAlive()).as("both readers ended").isFalse();

        Map<Integer, List<String>> fromRaw = events(raw);
        Map<Integer, List<String>> fromText = events(text);
        List<String> all = fromText.values().stream().flatMap(List::stream).toList();
        assertThat(all).as("the text reader saw the workload")
                .anyMatch(k -> k.contains(" kvm_pio ")).anyMatch(k -> k.contains(" kvm_mmio "))
                .anyMatch(k -> k.contains(" sys_ioctl ")).anyMatch(k -> k.contains(" sys_fallocate "));
        KernelFeatures.Capability gmem = KernelFeatures.guestMemfd();
        if (gmem.available()) {
            assertThat(all).as("guest_memfd pages, which only the anonymous-inode filter lets through")
                    .anyMatch(k -> k.contains(" mm_filemap_add_to_page_cache "));
        } else {
            KernelFeatures.skippedAssertions(gmem, "guest_memfd page-cache events in both readers");
        }
        assertThat(fromRaw.keySet()).isEqualTo(fromText.keySet());
        for (Integer tid : fromText.keySet()) {
            List<String> r2 = fromRaw.get(tid);
            List<String> t2 = fromText.get(tid);
            int i = 0;
            while (i < Math.min(r2.size(), t2.size()) && same(r2.get(i), t2.get(i))) {
                i++;
            }
            assertThat(i).as("thread %d: first difference at event %d: raw %s, text %s", tid, i,
                    i < r2.size() ? r2.get(i) : "(end)", i < t2.size() ? t2.get(i) : "(end)").isEqualTo(t2.size());
            assertThat(r2).hasSameSizeAs(t2);
        }
        System.out.printf("raw and text readers: %d identical events%n",
                fromRaw.values().stream().mapToInt(List::size).sum());
    }

    /**
     * The same event. Where trace_pipe prints {@code <...>} for the thread (the kernel had not cached the
     * new process's name yet; its tgid column is then empty or left over from an earlier process with
     * that pid) the raw reader, which asks /proc, may know better: then only the event must agree.
     */
    private static boolean same(String raw, String text) {
        Matcher t = KEY.matcher(text);
        Matcher r = KEY.matcher(raw);
        if (t.matches() && r.matches() && t.group(1).equals("null")) {
            return r.group(2).equals(t.group(2));
        }
        return raw.equals(text);
    }

    /** "(tgid) [cpu] comm" then "event payload". */
    private static final Pattern KEY = Pattern.compile("\\(-?\\d+\\) \\[\\d+\\] (\\S+) (.*)");

    /**
     * Each thread's events in order, without their times: each instance stamps an event when it writes
     * its own copy, microseconds apart, so only the order within a thread is the same.
     */
    private static Map<Integer, List<String>> events(List<String> lines) {
        LineParser parser = new LineParser();
        Map<Integer, List<String>> out = new TreeMap<>();
        synchronized (lines) {
            for (String line : lines) {
                if (!(parser.parse(line) instanceof TraceLine tl)) {
                    continue;
                }
                String payload = switch (tl.kind()) {
                    case SYSCALL_ENTER -> PayloadParsers.syscallEnter(tl.event(), tl.payload()).args().toString();
                    case SYSCALL_EXIT -> Long.toString(PayloadParsers.syscallExit(tl.event(), tl.payload()).ret());
                    default -> tl.payload();
                };
                out.computeIfAbsent(tl.tid(), k -> new ArrayList<>())
                        .add("(" + tl.tgid() + ") [" + tl.cpu() + "] " + tl.comm() + " " + tl.event() + " " + payload);
            }
        }
        return out;
    }
}
