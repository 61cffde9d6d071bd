package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.CollectorStats;
import dev.faultline.collector.publish.KafkaPublisher;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import dev.faultline.collector.source.tracefs.TracefsReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ground truth (SPEC 9): two workloads drive /dev/kvm at once (PIO, MMIO reads and writes, a
 * guest_memfd created, bound, written, punched, allocated, its slot deleted, SNP and TDX populate calls) while the live collector
 * captures from the kernel into the in-process broker; the events in faultline.events must be exactly
 * what the workloads did, attributed to the right VM, with no loss; with either reader. Needs root, tracefs,
 * /dev/kvm, gcc and bpftrace.
 */
class LiveKvmGroundTruthIT {

    @ParameterizedTest
    @EnumSource(TracefsReader.class)
    void eventsInKafkaEqualWhatTheWorkloadsDid(TracefsReader reader, @TempDir Path tmp) throws Exception {
        LiveCollector.requireHost();
        Path workload = LiveCollector.workload(tmp);

        try (KafkaCluster kafka = TestKafka.start()) {
            KafkaPublisher publisher = new KafkaPublisher(kafka.bootstrapServers(), Map.of(), "faultline.events");
            LiveCollector collector = LiveCollector.start("gt", publisher, 8192, reader);
            CollectorStats stats = collector.stats;

            Process a = new ProcessBuilder(workload.toString(), "40").start();
            Process b = new ProcessBuilder(workload.toString(), "25").start();
            String outA = new String(a.getInputStream().readAllBytes());
            String outB = new String(b.getInputStream().readAllBytes());
            assertThat(a.waitFor()).isZero();
            assertThat(b.waitFor()).isZero();
            collector.stop();
            publisher.close();
            assertThat(publisher.failed()).isZero();

            List<Event> events = readAll(kafka.bootstrapServers(), publisher.sent());
            assertThat(events).as(stats.summary()).noneMatch(e -> e.getBody() instanceof TraceLoss);
            check(events, outA, 40);
            check(events, outB, 25);
        }
    }

    /** One workload's VM: every fact it printed is in Kafka, attributed to it, and nothing more. */
    private static void check(List<Event> all, String out, int n) {
        Map<String, String> facts = facts(out);
        String pid = facts.get("pid");
        List<Event> vm = all.stream().filter(e -> e.getHeader().getVm().startsWith("gt/" + pid + "/" + facts.get("vm_fd") + "@")).toList();
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
        long inode = Long.parseLong(facts.get("inode"));
        assertThat(bodies(vm, GmemCreated.class)).singleElement().satisfies(g -> {
            assertThat(g.getFd()).isEqualTo(Integer.parseInt(facts.get("gmem_fd")));
            assertThat(g.getInode()).as("inode from /proc/<pid>/fd").isEqualTo(inode);
        });
        // the BPF helper's structs merged into the plain ioctl lines: one object per call, details known
        assertThat(bodies(vm, MemslotSet.class)).extracting(MemslotSet::getIoctl)
                .containsExactly("SET_USER_MEMORY_REGION", "SET_USER_MEMORY_REGION2", "SET_USER_MEMORY_REGION2");
        assertThat(bodies(vm, MemslotSet.class).get(0)).satisfies(m -> {
            assertThat(m.getSlot()).isZero();
            assertThat(m.getGpa()).isZero();
            assertThat(m.getSize()).isEqualTo(0x1000L);
        });
        assertThat(bodies(vm, MemslotSet.class).get(1)).satisfies(m -> {
            assertThat(m.getSlot()).isEqualTo(1);
            assertThat(m.getFlags()).isEqualTo(4L);
            assertThat(m.getGpa()).isEqualTo(0x100000L);
            assertThat(m.getSize()).isEqualTo(0x200000L);
            assertThat(m.getGmemFd()).isEqualTo(Integer.parseInt(facts.get("gmem_fd")));
            assertThat(m.getGmemInode()).isEqualTo(inode);
            assertThat(m.getGmemOffset()).isZero();
        });
        assertThat(bodies(vm, MemslotSet.class).get(2).getSize()).as("the slot deleted").isZero();
        assertThat(bodies(vm, GmemCreated.class).get(0).getSize()).isEqualTo(0x200000L);
        assertThat(bodies(vm, GmemCreated.class).get(0).getFlags()).isEqualTo(3L);
        assertThat(bodies(vm, GmemInvalidation.class)).singleElement()
                .satisfies(g -> assertThat(List.of(g.getOffset(), g.getLength())).containsExactly(0x10000L, 0x10000L));
        assertThat(bodies(vm, GmemAllocation.class)).singleElement()
                .satisfies(g -> assertThat(List.of(g.getOffset(), g.getLength())).containsExactly(0x40000L, 0x10000L));
        assertThat(bodies(vm, GmemPageAdded.class)).as("32 pages written + 16 allocated").hasSize(48)
                .allMatch(p -> p.getInode() == inode);
        assertThat(bodies(vm, GmemPageRemoved.class)).extracting(GmemPageRemoved::getOffset)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.range(16, 32).map(p -> p << 12).boxed().toList());
        assertThat(bodies(vm, Populate.class)).as("SNP and TDX populate structs decoded by the BPF helper, on the VM and vCPU fds")
                .containsExactlyElementsOf(populates(out));
        assertThat(bodies(vm, VmDestroyed.class)).hasSize(1);
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

    private static Map<String, String> facts(String out) {
        Map<String, String> f = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] w = line.trim().split(" ");
            if (w.length >= 2) {
                f.put(w[0], w[1]);
            }
            for (int i = 2; i + 1 < w.length; i += 2) {
                f.put(w[i], w[i + 1]);
            }
        }
        return f;
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
