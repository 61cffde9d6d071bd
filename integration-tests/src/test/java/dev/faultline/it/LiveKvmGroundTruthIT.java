package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.publish.KafkaPublisher;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import dev.faultline.events.Event;
import dev.faultline.events.GmemAllocation;
import dev.faultline.events.GmemCreated;
import dev.faultline.events.GmemInvalidation;
import dev.faultline.events.GmemPageAdded;
import dev.faultline.events.GmemPageRemoved;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Mmio;
import dev.faultline.events.MmioKind;
import dev.faultline.events.Pio;
import dev.faultline.events.Populate;
import dev.faultline.events.PopulateKind;
import dev.faultline.events.TraceLoss;
import dev.faultline.events.VmCreated;
import dev.faultline.events.VmDestroyed;
import dev.faultline.events.VmType;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import dev.faultline.collector.source.tracefs.TracefsReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ground truth: two workloads drive /dev/kvm at once (PIO, MMIO reads and writes, a second memslot
 * bound, written, punched, allocated and deleted, SNP and TDX populate calls) while the live collector
 * captures from the kernel into the in-process broker; the events in faultline.events must be exactly
 * what the workloads did, attributed to the right VM, with no loss; with either reader. The memslot is
 * backed by a guest_memfd where the kernel has one, else by a memfd (the gmem assertions are then skipped
 * and reported); one more run forces the memfd path, so both paths are checked on a host with guest_memfd.
 * Needs root, tracefs, /dev/kvm, gcc and bpftrace.
 */
class LiveKvmGroundTruthIT {

    /** Which backing the workloads' second memslot gets. */
    enum GmemPath {
        /** guest_memfd where the host has it. */
        HOST,
        /** a memfd, with FAULTLINE_FORCE_NO_GMEM=1 for the workloads, whatever the host has. */
        FORCED_OFF
    }

    static Stream<Arguments> runs() {
        return Stream.of(Arguments.of(TracefsReader.RAW, GmemPath.HOST), Arguments.of(TracefsReader.TEXT, GmemPath.HOST),
                Arguments.of(TracefsReader.RAW, GmemPath.FORCED_OFF));
    }

    @ParameterizedTest(name = "{0} reader, guest_memfd path {1}")
    @MethodSource("runs")
    void eventsInKafkaEqualWhatTheWorkloadsDid(TracefsReader reader, GmemPath path, @TempDir Path tmp) throws Exception {
        LiveCollector.requireHost();
        Path workload = LiveCollector.workload(tmp);
        KernelFeatures.Capability gmem = path == GmemPath.HOST ? KernelFeatures.guestMemfd()
                : new KernelFeatures.Capability(KernelFeatures.guestMemfd().name(), false, "forced off for this run");

        try (KafkaCluster kafka = TestKafka.start()) {
            KafkaPublisher publisher = new KafkaPublisher(kafka.bootstrapServers(), Map.of(), "faultline.events");
            LiveCollector collector = LiveCollector.start("gt", publisher, 8192, reader);
            CollectorStats stats = collector.stats;

            Process a = start(workload, 40, path);
            Process b = start(workload, 25, path);
            String outA = new String(a.getInputStream().readAllBytes());
            String outB = new String(b.getInputStream().readAllBytes());
            assertThat(a.waitFor()).isZero();
            assertThat(b.waitFor()).isZero();
            collector.stop();
            publisher.close();
            assertThat(publisher.failed()).isZero();

            List<Event> events = readAll(kafka.bootstrapServers(), publisher.sent());
            assertThat(events).as(stats.summary()).noneMatch(e -> e.getBody() instanceof TraceLoss);
            check(events, outA, 40, gmem);
            check(events, outB, 25, gmem);
            if (path == GmemPath.HOST && !gmem.available()) {
                KernelFeatures.skippedAssertions(gmem, "guest_memfd creation, binding, punch-hole, allocation and page events ("
                        + reader + " reader)");
            }
        }
    }

    private static Process start(Path workload, int iterations, GmemPath path) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(workload.toString(), Integer.toString(iterations));
        if (path == GmemPath.FORCED_OFF) {
            pb.environment().put(KernelFeatures.FORCE_NO_GMEM, "1");
        }
        return pb.start();
    }

    /**
     * One workload's VM: every fact it printed is in Kafka, attributed to it, and nothing more. Its second
     * memslot is backed by a guest_memfd where the host has one, by a plain memfd where not: then the gmem
     * assertions are skipped (the caller reports it), and the memfd's slot, punch-hole, allocation and pages must
     * not pass for guest_memfd ones.
     */
    private static void check(List<Event> all, String out, int n, KernelFeatures.Capability gmem) {
        Facts facts = new Facts(out);
        String pid = facts.value("pid");
        List<Event> vm = all.stream().filter(e -> e.getHeader().getVm().startsWith("gt/" + pid + "/" + facts.value("vm_fd") + "@")).toList();
        assertThat(vm).as("VM of pid %s", pid).isNotEmpty();
        assertThat(all.stream().filter(e -> e.getHeader().getTgid() != null && e.getHeader().getTgid() == Integer.parseInt(pid)))
                .as("every event of the process is attributed to its VM")
                .allMatch(e -> e.getHeader().getVm().equals(vm.get(0).getHeader().getVm()));
        assertThat(bodies(vm, VmCreated.class)).singleElement().satisfies(c -> assertThat(c.getVmType()).isEqualTo(VmType.DEFAULT));
        assertThat(bodies(vm, Pio.class)).hasSize(n).allMatch(p -> p.getWrite() && p.getPort() == 0x3f8);
        List<Mmio> mmio = bodies(vm, Mmio.class);
        assertThat(mmio.stream().filter(m -> m.getKind() == MmioKind.WRITE)).hasSize(n).allMatch(m -> m.getGpa() == 0x2000);
        assertThat(mmio.stream().filter(m -> m.getKind() == MmioKind.UNSATISFIED_READ)).hasSize(n).allMatch(m -> m.getGpa() == 0x2004);
        assertThat(mmio.stream().filter(m -> m.getKind() == MmioKind.READ)).hasSize(n)
                .allMatch(m -> m.getGpa() == 0x2004 && m.getValue() == 0x5a5a);
        assertThat(facts.value("gmem_supported")).as("the workload found guest_memfd as the collector's probe did (%s)", gmem)
                .isEqualTo(gmem.available() ? "1" : "0");

        // the BPF helper's structs merged into the plain ioctl lines: one object per call, details known
        String setIoctl = facts.field("memslot_slot", "ioctl");
        assertThat(bodies(vm, MemslotSet.class)).extracting(MemslotSet::getIoctl)
                .containsExactly("SET_USER_MEMORY_REGION", setIoctl, setIoctl);
        assertThat(bodies(vm, MemslotSet.class).get(0)).satisfies(m -> {
            assertThat(m.getSlot()).isZero();
            assertThat(m.getGpa()).isZero();
            assertThat(m.getSize()).isEqualTo(0x1000L);
        });
        MemslotSet bound = bodies(vm, MemslotSet.class).get(1);
        assertThat(bound.getSlot()).isEqualTo(1);
        assertThat(bound.getFlags()).isEqualTo(Long.parseLong(facts.field("memslot_slot", "flags")));
        assertThat(bound.getGpa()).isEqualTo(0x100000L);
        assertThat(bound.getSize()).isEqualTo(0x200000L);
        assertThat(bodies(vm, MemslotSet.class).get(2).getSize()).as("the slot deleted").isZero();
        assertThat(bodies(vm, Populate.class)).as("SNP and TDX populate structs decoded by the BPF helper, on the VM and vCPU fds")
                .containsExactlyElementsOf(populates(out));
        assertThat(bodies(vm, VmDestroyed.class)).hasSize(1);

        if (!gmem.available()) {
            assertThat(bound.getGmemFd()).as("a memfd-backed slot is bound to no guest_memfd").isNull();
            assertThat(bound.getGmemInode()).isNull();
            assertThat(vm).as("the memfd's punch-hole, allocation and pages are no guest_memfd events").noneMatch(e ->
                    e.getBody() instanceof GmemCreated || e.getBody() instanceof GmemInvalidation
                    || e.getBody() instanceof GmemAllocation || e.getBody() instanceof GmemPageAdded
                    || e.getBody() instanceof GmemPageRemoved);
            return;
        }
        long inode = Long.parseLong(facts.field("gmem_fd", "inode"));
        assertThat(bodies(vm, GmemCreated.class)).singleElement().satisfies(g -> {
            assertThat(g.getFd()).isEqualTo(Integer.parseInt(facts.value("gmem_fd")));
            assertThat(g.getInode()).as("inode from /proc/<pid>/fd").isEqualTo(inode);
            assertThat(g.getSize()).isEqualTo(0x200000L);
            assertThat(g.getFlags()).isEqualTo(3L);
        });
        assertThat(bound.getGmemFd()).isEqualTo(Integer.parseInt(facts.value("gmem_fd")));
        assertThat(bound.getGmemInode()).isEqualTo(inode);
        assertThat(bound.getGmemOffset()).isZero();
        assertThat(bodies(vm, GmemInvalidation.class)).singleElement()
                .satisfies(g -> assertThat(List.of(g.getOffset(), g.getLength())).containsExactly(0x10000L, 0x10000L));
        assertThat(bodies(vm, GmemAllocation.class)).singleElement()
                .satisfies(g -> assertThat(List.of(g.getOffset(), g.getLength())).containsExactly(0x40000L, 0x10000L));
        assertThat(bodies(vm, GmemPageAdded.class)).as("32 pages written + 16 allocated").hasSize(48)
                .allMatch(p -> p.getInode() == inode);
        assertThat(bodies(vm, GmemPageRemoved.class)).extracting(GmemPageRemoved::getOffset)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.range(16, 32).map(p -> p << 12).boxed().toList());
    }

    /** The workload's "populate kind K gpa G size S ret R" lines (a refused call still carries its struct). */
    private static List<Populate> populates(String out) {
        List<Populate> expected = out.lines().filter(l -> l.startsWith("populate ")).map(l -> {
            String[] w = l.split(" ");
            return new Populate(PopulateKind.valueOf(w[2].toUpperCase(java.util.Locale.ROOT)), Long.decode(w[4]),
                    Long.decode(w[6]), Long.parseLong(w[8]));
        }).toList();
        assertThat(expected).as("the workload's populate calls").hasSize(2);
        return expected;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> bodies(List<Event> events, Class<T> type) {
        return events.stream().map(Event::getBody).filter(type::isInstance).map(b -> (T) b).toList();
    }

    private static List<Event> readAll(String bootstrap, long expected) {
        List<Event> out = new ArrayList<>();
        try (KafkaConsumer<String, Event> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "gt", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), AvroSerde.events())) {
            c.subscribe(List.of("faultline.events"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        out.sort(java.util.Comparator.comparingLong(e -> e.getHeader().getSeq()));
        return out;
    }
}
