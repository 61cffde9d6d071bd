package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.events.Topics;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.events.Event;
import dev.faultline.events.MemoryAttributes;
import dev.faultline.events.MemslotSet;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/design.md §8, the analyser's half: analysers are separate processes of the unpacked archive on a real broker,
 * and one is killed with SIGKILL (no close, no last commit) while they work through ≥ 200 000 events of
 * 24 VMs of every type with violations injected. Whatever the fault, the survivors restore the killed
 * one's state from the changelogs and carry on, every VM is answered for afterwards (summary, memslots and
 * a GFN's attributes equal to what the events say), and faultline.alerts ({@code read_committed}) holds
 * exactly what {@code faultline check} finds in the same trace: nothing missing, nothing doubled.
 * How long the takeover took, with and without a standby replica, is printed and kept in
 * target/reliability-figures.txt (docs/reliability.md).
 */
class AnalyserKilledIT {
    private static final String HOST = "killed";
    private static final int VMS = 24;
    private static final Duration CATCH_UP = Duration.ofMinutes(6);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A killed member is noticed after the session timeout: the broker's minimum, not Kafka's 45 s. */
    private static final Map<String, String> FAST_FAILOVER = Map.of("session.timeout.ms", "6000",
            "heartbeat.interval.ms", "1500");

    @TempDir
    static Path dir;
    static Path home;
    static Path trace;
    static Map<String, AlertOracle.Key> oracle;
    static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void traceOracleAndArchive() throws Exception {
        RuleSet rules = RuleSet.load(Path.of("../rules"));
        trace = AlertOracle.simulatedTrace(dir.resolve(HOST + ".trace"), 41, VMS, 100_000, rules.rules().keySet(), 200);
        oracle = AlertOracle.check(trace);
        assertThat(oracle.keySet().stream().map(k -> k.split("\\|")[0]).distinct()).as("the injected rules fire")
                .hasSizeGreaterThan(10);
        home = Distribution.unpack(Files.createDirectory(dir.resolve("install")));
    }

    @AfterAll
    static void keepFigures() throws IOException {
        Path out = Path.of("target/reliability-figures.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, figures);
    }

    enum Fault {
        /** One of two killed mid-stream; no standby: the survivor restores from the changelogs alone. */
        ONE_KILLED_NO_STANDBY,
        /** The same with num.standby.replicas=1: the survivor has a warm copy. */
        ONE_KILLED_ONE_STANDBY,
        /** The first killed while the second is joining: the group is rebalancing. */
        KILLED_DURING_REBALANCE,
        /** Both killed; one restarted on its old state directory (no clean shutdown left it a checkpoint). */
        BOTH_KILLED_ONE_RESTARTED
    }

    /**
     * Every fault once; {@code -Dit.faults=A,B -Dit.repeat=N} runs the named ones N times each, to chase an
     * intermittent failure.
     */
    static List<Fault> faults() {
        String only = System.getProperty("it.faults", "");
        List<Fault> chosen = only.isBlank() ? List.of(Fault.values())
                : Arrays.stream(only.split(",")).map(String::trim).map(Fault::valueOf).toList();
        int repeat = Integer.getInteger("it.repeat", 1);
        List<Fault> out = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            out.addAll(chosen);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("faults")
    void alertsEqualTheOracleAndEveryVmIsAnswered(Fault fault) throws Exception {
        Map<String, String> props = new LinkedHashMap<>(FAST_FAILOVER);
        if (fault == Fault.ONE_KILLED_ONE_STANDBY) {
            props.put("num.standby.replicas", "1");
        }
        Path state = Files.createTempDirectory(dir, fault.name());
        try (KafkaCluster kafka = TestKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            AnalyserProcess a = AnalyserProcess.start(home, "a", bootstrap, state.resolve("a"), props);
            AnalyserProcess b = fault == Fault.KILLED_DURING_REBALANCE ? null
                    : AnalyserProcess.start(home, "b", bootstrap, state.resolve("b"), props);
            AnalyserProcess survivor;
            try {
                awaitAnswering(a);
                if (b != null) {
                    awaitAnswering(b);
                }
                long events = LocalPipeline.replay(bootstrap, trace.toString(), HOST).totalEvents();
                assertThat(events).isGreaterThanOrEqualTo(200_000);
                long killedAt;
                switch (fault) {
                    case KILLED_DURING_REBALANCE -> {
                        AlertOracle.awaitCommitted(bootstrap, events / 4, CATCH_UP);
                        assertWorking(a);
                        b = AnalyserProcess.start(home, "b", bootstrap, state.resolve("b"), props);
                        awaitRebalancing(bootstrap, b);
                        killedAt = System.nanoTime();
                        a.kill();
                        survivor = b;
                    }
                    case BOTH_KILLED_ONE_RESTARTED -> {
                        AlertOracle.awaitCommitted(bootstrap, events / 3, CATCH_UP);
                        assertWorking(a);
                        assertWorking(b);
                        a.kill();
                        b.kill();
                        killedAt = System.nanoTime();
                        a = AnalyserProcess.start(home, "a2", bootstrap, state.resolve("a"), props);
                        survivor = a;
                    }
                    default -> {
                        AlertOracle.awaitCommitted(bootstrap, events / 3, CATCH_UP);
                        assertWorking(a); // it had partitions of its own, and state to lose
                        assertWorking(b);
                        killedAt = System.nanoTime();
                        a.kill();
                        survivor = b;
                    }
                }
                List<String> vms = vmsOf(bootstrap);
                assertThat(vms).hasSizeGreaterThanOrEqualTo(20);
                double takeoverS = awaitEveryVmAnswered(survivor, vms, killedAt);
                AlertOracle.awaitCommitted(bootstrap, Long.MAX_VALUE, CATCH_UP);
                double caughtUpS = (System.nanoTime() - killedAt) / 1e9;
                String figure = String.format("%s: every VM answered by the survivor %.1f s after the kill; all %d events"
                        + " committed %.1f s after it", fault, takeoverS, events, caughtUpS);
                System.out.println("AnalyserKilledIT " + figure);
                figures.add(figure);
                AlertOracle.awaitFoldWindows();

                assertThat(AlertOracle.streamed(bootstrap)).as("faultline.alerts against check; survivor log:%n%s",
                        survivor.tail()).isEqualTo(oracle);
                assertEndStateAnswered(survivor, endStateOf(bootstrap));
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /** Until the instance's API answers (its Kafka Streams may still be starting). */
    private static void awaitAnswering(AnalyserProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (p.get("/api/rules").status() != 200) {
            assertThat(p.alive()).as("%s exited:%n%s", p.name, p.tail()).isTrue();
            assertThat(System.nanoTime()).as("%s never answered:%n%s", p.name, p.tail()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The instance has processed events itself (its own /metrics), so killing it loses work in flight. */
    private static void assertWorking(AnalyserProcess p) {
        AnalyserProcess.Answer metrics = p.get("/metrics");
        assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
        double processed = metrics.body().lines().filter(l -> l.startsWith("faultline_analyser_events_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(processed).as("events processed by %s", p.name).isGreaterThan(0);
    }

    /** Until the analysers' group is rebalancing because {@code joining} joins it. */
    private static void awaitRebalancing(String bootstrap, AnalyserProcess joining) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (System.nanoTime() < deadline) {
                GroupState state = admin.describeConsumerGroups(List.of(StoreNames.APPLICATION_ID)).describedGroups()
                        .get(StoreNames.APPLICATION_ID).get().groupState();
                if (state == GroupState.PREPARING_REBALANCE || state == GroupState.COMPLETING_REBALANCE) {
                    return;
                }
                assertThat(joining.alive()).as("%s exited:%n%s", joining.name, joining.tail()).isTrue();
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the group never rebalanced for " + joining.name + ":\n" + joining.tail());
    }

    /**
     * Asks the survivor for every VM's summary until each has answered once with 200 (a 503 while the
     * partitions move is expected); the seconds from the kill until the last one did.
     */
    private static double awaitEveryVmAnswered(AnalyserProcess survivor, List<String> vms, long killedAt)
            throws InterruptedException {
        TreeSet<String> waiting = new TreeSet<>(vms);
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (!waiting.isEmpty()) {
            waiting.removeIf(vm -> survivor.get("/api/vm?vm=" + AnalyserProcess.q(vm)).status() == 200);
            if (waiting.isEmpty()) {
                break;
            }
            assertThat(survivor.alive()).as("%s exited:%n%s", survivor.name, survivor.tail()).isTrue();
            if (System.nanoTime() > deadline) {
                AnalyserProcess.Answer last = survivor.get("/api/vm?vm=" + AnalyserProcess.q(waiting.first()));
                throw new AssertionError(survivor.name + " did not answer for " + waiting + " (last answer " + last.status()
                        + ": " + last.body() + "; log kept in " + survivor.keepLog() + "):\n" + survivor.tail());
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - killedAt) / 1e9;
    }

    /** What the events say a VM ends with: its memslots, and a GFN its last attribute change set. */
    record VmEnd(TreeMap<String, String> memslots, Long probeGfn, Long probeAttributes) {
    }

    private static List<String> vmsOf(String bootstrap) {
        return new ArrayList<>(endStateOf(bootstrap).keySet());
    }

    /** Every event on faultline.events, folded into each VM's end state the way the events define it. */
    private static Map<String, VmEnd> endStateOf(String bootstrap) {
        Map<String, TreeMap<String, String>> slots = new TreeMap<>();
        Map<String, List<MemoryAttributes>> attrs = new HashMap<>();
        List<Event> events = new ArrayList<>(TopicReader.values(bootstrap, Topics.EVENTS, AvroSerde.events().deserializer()));
        // per VM in sequence order: a VM's events are on one partition, in order
        events.sort(Comparator.comparingLong(e -> e.getHeader().getSeq()));
        for (Event e : events) {
            String vm = e.getHeader().getVm();
            TreeMap<String, String> vmSlots = slots.computeIfAbsent(vm, k -> new TreeMap<>());
            if (e.getBody() instanceof MemslotSet m && m.getSlot() != null) {
                String key = (m.getAddressSpace() == null ? 0 : m.getAddressSpace()) + ":" + m.getSlot();
                if (m.getSize() != null && m.getSize() == 0) {
                    vmSlots.remove(key);
                } else {
                    vmSlots.put(key, "gpa 0x" + Long.toHexString(m.getGpa()) + " size " + m.getSize());
                }
            } else if (e.getBody() instanceof MemoryAttributes m) {
                attrs.computeIfAbsent(vm, k -> new ArrayList<>()).add(m);
            }
        }
        Map<String, VmEnd> out = new TreeMap<>();
        slots.forEach((vm, s) -> {
            List<MemoryAttributes> changes = attrs.getOrDefault(vm, List.of());
            if (changes.isEmpty() || vm.equals("-")) {
                out.put(vm, new VmEnd(s, null, null));
                return;
            }
            long gfn = changes.get(changes.size() - 1).getGpa() >>> 12;
            long value = 0;
            for (MemoryAttributes m : changes) {
                long first = m.getGpa() >>> 12;
                long last = (m.getGpa() + m.getSize() - 1) >>> 12;
                if (m.getSize() != 0 && gfn >= first && gfn <= last) {
                    value = m.getAttributes();
                }
            }
            out.put(vm, new VmEnd(s, gfn, value));
        });
        out.keySet().removeIf(vm -> !vm.startsWith(HOST + "/")); // host-level events (loss) carry no VM
        return out;
    }

    private static void assertEndStateAnswered(AnalyserProcess survivor, Map<String, VmEnd> end) throws Exception {
        int probed = 0;
        for (Map.Entry<String, VmEnd> e : end.entrySet()) {
            String vm = AnalyserProcess.q(e.getKey());
            AnalyserProcess.Answer summary = survivor.get("/api/vm?vm=" + vm);
            assertThat(summary.status()).as(e.getKey() + ": " + summary.body()).isEqualTo(200);
            assertThat(JSON.readTree(summary.body()).get("id").asText()).isEqualTo(e.getKey());

            AnalyserProcess.Answer memslots = survivor.get("/api/vm/memslots?vm=" + vm);
            assertThat(memslots.status()).as(memslots.body()).isEqualTo(200);
            TreeMap<String, String> answered = new TreeMap<>();
            for (JsonNode m : JSON.readTree(memslots.body()).get("memslots")) {
                answered.put(m.get("addressSpace").asInt() + ":" + m.get("slot").asInt(),
                        "gpa " + m.get("gpa").asText() + " size " + m.get("size").asLong());
            }
            assertThat(answered).as("memslots of %s", e.getKey()).isEqualTo(e.getValue().memslots());

            if (e.getValue().probeGfn() != null) {
                AnalyserProcess.Answer gfn = survivor.get("/api/vm/gfn?vm=" + vm + "&gfn=0x" + Long.toHexString(e.getValue().probeGfn()));
                assertThat(gfn.status()).as(gfn.body()).isEqualTo(200);
                assertThat(JSON.readTree(gfn.body()).get("attributes").asLong()).as("attributes of GFN 0x%x in %s",
                        e.getValue().probeGfn(), e.getKey()).isEqualTo(e.getValue().probeAttributes());
                probed++;
            }
        }
        assertThat(probed).as("VMs whose attributes changed").isGreaterThanOrEqualTo(10);
    }
}
