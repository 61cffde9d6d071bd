package dev.faultline.bench;

import dev.faultline.commandline.ExitCodes;
import dev.faultline.commandline.RulesOption;
import dev.faultline.testkit.LocalPipeline;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Evidence;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.IntervalStore;
import dev.faultline.analyser.state.StateFormat;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.topology.AnalyserApp;
import dev.faultline.analyser.topology.AnalyserTopology;
import dev.faultline.events.Topics;
import dev.faultline.collector.stats.CollectorStats;
import dev.faultline.collector.TracePipeline;
import dev.faultline.collector.resolve.HostContext;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import dev.faultline.kafka.EmbeddedKafka;
import dev.faultline.kafka.KafkaCluster;
import dev.faultline.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "analyse", mixinStandardHelpOptions = true, description = {
    "The streaming analyser against Kafka Streams itself, on an in-process broker, exactly-once, the analyser's commit",
    "interval. (a) A pass-through topology (the analyser's Avro serdes, every event to a sink topic) and (b) the analyser",
    "with every shipped rule, each over the same pre-produced simulated events (every VM type, conversions, faults,",
    "MMIO, guest_memfd, violations injected in turn): events/s and the ratio b/a (target >= 0.5). (c) Latency: events",
    "produced at a fixed rate with violations; for each alert the time from its newest evidence event's send to the",
    "alert's arrival at a read_committed consumer: p50/p99/max (target p99 <= 200 ms at 20k events/s), and the lag",
    "left. (d) State after (b): entries and bytes per store, per VM and per tracked GFN range."})
final class AnalyseBench implements Callable<Integer> {
    private static final String PASS_THROUGH_OUT = "bench.passthrough";
    private static final String HOST = "bench";

    @Option(names = "--events", defaultValue = "1000000", description = "Events for (a) and (b), at least (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--inject-every", defaultValue = "50",
            description = "Simulated guest steps between injected violations (default ${DEFAULT-VALUE}: about 1 %% of events).")
    long injectEvery;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Measured rounds of (a) then (b), after a warm-up round of a tenth of the events; the median "
                    + "ratio is the figure (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads of each topology (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--rate", defaultValue = "20000", description = "Events/s for the latency run (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "60", description = "Length of the latency run (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--skip", split = ",", paramLabel = "throughput|latency", description = "Leave out a part.")
    List<String> skip = List.of();

    @Mixin
    RulesOption rules;

    /** Events as the collector makes them, encoded once: the key (VM id), the value bytes, the sequence number. */
    private record Encoded(String vm, byte[] value, long seq) {
    }

    @Override
    public Integer call() throws Exception {
        RuleSet ruleSet = RuleSet.load(rules.dir());
        long needed = Math.max(events, skip.contains("latency") ? 0 : (long) rate * latencySeconds);
        List<Encoded> traffic = simulate(ruleSet, needed);
        System.out.printf("events: %,d simulated (every VM type, a violation every %d steps)%n", traffic.size(), injectEvery);
        if (!skip.contains("throughput")) {
            throughput(ruleSet, traffic.subList(0, (int) Math.min(traffic.size(), Math.max(events, 1))));
        }
        if (!skip.contains("latency")) {
            latency(ruleSet, traffic);
        }
        return ExitCodes.OK;
    }

    private List<Encoded> simulate(RuleSet ruleSet, long needed) {
        List<Encoded> out = new ArrayList<>();
        AvroSerde<Event> serde = AvroSerde.events();
        TracePipeline pipeline = new TracePipeline(HostContext.replay(HOST), e -> {
            if (out.size() < needed) {
                out.add(new Encoded(e.getHeader().getVm(), serde.encode(e), e.getHeader().getSeq()));
            }
        }, new CollectorStats());
        // about two events per guest step
        new Simulator(new SimulationConfig(17, 6, List.of(VmKind.values()), needed / 2 + 1000, 0,
                new LinkedHashSet<>(injectable(ruleSet)), injectEvery)).run(pipeline::accept);
        pipeline.finish();
        if (out.size() < needed) {
            throw new IllegalStateException("the simulator made " + out.size() + " events, not " + needed);
        }
        return out;
    }

    /**
     * The shipped rules the simulator can violate, but gmem-memslot-mutated: repeated, it would leave a VM's
     * private memory unbound, and every later private fault there raises private-fault-outside-gmem (a
     * storm of one alert per fault, not about 1 % of events).
     */
    private static List<String> injectable(RuleSet ruleSet) {
        return ruleSet.enabled().stream().map(r -> r.id())
                .filter(id -> SimulationConfig.canInject(id) && !id.equals("gmem-memslot-mutated")).toList();
    }

    // ---- (a), (b), (d)

    private void throughput(RuleSet ruleSet, List<Encoded> traffic) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(Map.of(PASS_THROUGH_OUT, KafkaCluster.FAULTLINE_TOPICS.get(Topics.EVENTS)));
            Path state = Files.createTempDirectory("faultline-bench-analyse");
            // warm-up: both topologies once over a tenth, so neither runs its measured round on a cold JIT
            Path warmState = Files.createTempDirectory("faultline-bench-warm");
            try (EmbeddedKafka warm = EmbeddedKafka.start()) {
                List<Encoded> tenth = traffic.subList(0, traffic.size() / 10);
                produceAll(warm.bootstrapServers(), tenth);
                warm.createTopics(Map.of(PASS_THROUGH_OUT, KafkaCluster.FAULTLINE_TOPICS.get(Topics.EVENTS)));
                round(warm, ruleSet, tenth.size(), warmState, "warm");
            }
            produceAll(kafka.bootstrapServers(), traffic);
            List<double[]> results = new ArrayList<>();
            Round last = null;
            for (int r = 1; r <= rounds; r++) {
                last = round(kafka, ruleSet, traffic.size(), state, Integer.toString(r));
                results.add(new double[] {last.passThrough, last.analyser, last.analyser / last.passThrough});
                System.out.printf("round %d: (a) pass-through %,9.0f events/s   (b) analyser %,9.0f events/s   b/a %.2f%n", r,
                        last.passThrough, last.analyser, last.analyser / last.passThrough);
            }
            results.sort(java.util.Comparator.comparingDouble(x -> x[2]));
            double[] median = results.get(results.size() / 2);
            System.out.printf("(a) pass-through topology : %,9.0f events/s  (the median round's)%n", median[0]);
            System.out.printf("(b) analyser, %2d rules    : %,9.0f events/s  (%,d alerts per round)%n",
                    ruleSet.enabled().size(), median[1], last.alerts);
            System.out.printf("    ratio b/a             : %.2f median of %d rounds (%.2f..%.2f)  (target >= 0.50: %s)%n", median[2],
                    rounds, results.get(0)[2], results.get(results.size() - 1)[2], median[2] >= 0.5 ? "met" : "MISSED");
            state(last.sizes);
        }
    }

    /** One round's figures, and the analyser's state and alert count after it. */
    private record Round(double passThrough, double analyser, long alerts, Map<String, AnalyserApp.StoreSize> sizes) {
    }

    /** (a) then (b) over the events already on faultline.events, each a new application reading from the start. */
    private Round round(EmbeddedKafka kafka, RuleSet ruleSet, long n, Path state, String name) throws Exception {
        String passThroughId = "bench-passthrough-" + name;
        String analyserId = "bench-analyser-" + name;
        Properties pt = new Properties();
        pt.put(StreamsConfig.APPLICATION_ID_CONFIG, passThroughId);
        pt.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pt.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve(passThroughId).toString());
        pt.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        pt.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, AnalyserApp.COMMIT_INTERVAL_MS);
        pt.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        pt.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        double a;
        try (KafkaStreams passThrough = new KafkaStreams(passThrough(), pt)) {
            a = timeToCommitAll(kafka, passThroughId, n, () -> {
                passThrough.start();
                return passThrough::state;
            });
        }
        Map<String, String> props = Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads),
                StreamsConfig.APPLICATION_ID_CONFIG, analyserId);
        try (AnalyserApp analyser = new AnalyserApp(kafka.bootstrapServers(), state.resolve(analyserId), ruleSet, props)) {
            double b = timeToCommitAll(kafka, analyserId, n, () -> {
                analyser.start();
                return analyser::state;
            });
            long alerts = analyser.counters().alerts().values().stream().mapToLong(Long::longValue).sum();
            return new Round(a, b, alerts, analyser.storeSizes());
        }
    }

    /** The analyser's source and sink, nothing in between: what Kafka Streams itself costs per event. */
    private static Topology passThrough() {
        Topology t = new Topology();
        t.addSource("events", Serdes.String().deserializer(), AvroSerde.events().deserializer(), Topics.EVENTS);
        t.addSink("out", PASS_THROUGH_OUT, Serdes.String().serializer(), AvroSerde.events().serializer(), "events");
        return t;
    }

    /** Starts an application; answers its state from then on. */
    private interface Start {
        Supplier<KafkaStreams.State> start();
    }

    /** Starts an application and returns its rate: events over the time from RUNNING to every offset committed. */
    private static double timeToCommitAll(EmbeddedKafka kafka, String group, long n, Start app) throws Exception {
        Supplier<KafkaStreams.State> state = app.start();
        while (state.get() != KafkaStreams.State.RUNNING) {
            if (state.get() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException(group + " failed to start");
            }
            Thread.sleep(10);
        }
        long t0 = System.nanoTime();
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, Long> end = LocalPipeline.endOffsets(admin, Topics.EVENTS);
            while (lag(admin, group, end) > 0) {
                if (state.get() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(group + " failed");
                }
                Thread.sleep(20);
            }
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void state(Map<String, AnalyserApp.StoreSize> sizes) {
        long total = 0;
        System.out.println("(d) state after (b), serialised as stored:");
        for (Map.Entry<String, AnalyserApp.StoreSize> e : sizes.entrySet()) {
            AnalyserApp.StoreSize s = e.getValue();
            total += s.keyBytes() + s.valueBytes();
            System.out.printf("    %-18s %,9d entries %,12d bytes%n", e.getKey(), s.entries(), s.keyBytes() + s.valueBytes());
        }
        AnalyserApp.StoreSize vms = sizes.get(StoreNames.VM_STATE);
        AnalyserApp.StoreSize intervals = sizes.get(StoreNames.INTERVALS);
        long ranges = (intervals.valueBytes() - intervals.entries() * StateFormat.TAG) / IntervalStore.INTERVAL_BYTES;
        System.out.printf("    all stores          %,12d bytes: %,d per VM (%d VMs)%n", total, vms.entries() == 0 ? 0
                : total / vms.entries(), vms.entries());
        System.out.printf("    tracked GFN ranges  %,12d: %.1f bytes per range in %s%n", ranges,
                ranges == 0 ? 0.0 : (double) (intervals.keyBytes() + intervals.valueBytes()) / ranges,
                StoreNames.INTERVALS);
    }

    // ---- (c)

    private void latency(RuleSet ruleSet, List<Encoded> traffic) throws Exception {
        int n = (int) Math.min(traffic.size(), (long) rate * latencySeconds);
        long maxSeq = traffic.stream().limit(n).mapToLong(Encoded::seq).max().orElse(0);
        long[] sentAt = new long[(int) maxSeq + 1];
        List<long[]> arrivals = new ArrayList<>(); // {newest evidence seq, arrival nanos}
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                AnalyserApp analyser = new AnalyserApp(kafka.bootstrapServers(),
                        Files.createTempDirectory("faultline-bench-latency"), ruleSet,
                        Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads)))) {
            analyser.start();
            LocalPipeline.awaitRunning(analyser, System.nanoTime() + Duration.ofSeconds(60).toNanos());
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread reader = new Thread(() -> readAlerts(kafka.bootstrapServers(), reading, arrivals), "bench-alerts");
            reader.start();
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long due = start + (long) i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 200_000) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    Encoded e = traffic.get(i);
                    sentAt[(int) e.seq()] = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.EVENTS, e.vm(), e.value()));
                }
                producer.flush();
                double secs = (System.nanoTime() - start) / 1e9;
                long lagAtEnd;
                try (Admin admin = kafka.admin()) {
                    lagAtEnd = lag(admin, StoreNames.APPLICATION_ID, LocalPipeline.endOffsets(admin, Topics.EVENTS));
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (lag(admin, StoreNames.APPLICATION_ID, LocalPipeline.endOffsets(admin, Topics.EVENTS)) > 0
                            && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                }
                Thread.sleep(500);
                reading.set(false);
                reader.join(10_000);
                long[] ms;
                synchronized (arrivals) {
                    ms = arrivals.stream().filter(a -> a[0] < sentAt.length && sentAt[(int) a[0]] != 0)
                            .mapToLong(a -> a[1] - sentAt[(int) a[0]]).sorted().toArray();
                }
                System.out.printf("(c) latency: %,d events at %,d/s for %.0f s (%,.0f/s achieved); %,d alerts timed%n", n, rate,
                        secs, n / secs, ms.length);
                if (ms.length > 0) {
                    double p99 = pct(ms, 99);
                    System.out.printf("    event -> alert        : p50 %.1f ms  p99 %.1f ms  max %.1f ms  (target p99 <= 200 ms: %s)%n",
                            pct(ms, 50), p99, pct(ms, 100), p99 <= 200 ? "met" : "MISSED");
                }
                System.out.printf("    analyser lag when the producer stopped: %,d events%n", lagAtEnd);
            }
        }
    }

    private static double pct(long[] sortedNanos, double p) {
        int i = (int) Math.min(sortedNanos.length - 1, Math.max(0, Math.ceil(p / 100 * sortedNanos.length) - 1));
        return sortedNanos[i] / 1e6;
    }

    /** First emissions of alerts (a fold's later count update is not a new alert), with their newest evidence seq. */
    private static void readAlerts(String bootstrap, AtomicBoolean reading, List<long[]> arrivals) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency");
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, Alert> c = new KafkaConsumer<>(cfg, new StringDeserializer(), AvroSerde.alerts().deserializer())) {
            c.subscribe(List.of(Topics.ALERTS));
            while (reading.get()) {
                for (ConsumerRecord<String, Alert> r : c.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    Alert a = r.value();
                    if (a.getCount() > 1) {
                        continue;
                    }
                    long newest = a.getEvidence().stream().mapToLong(Evidence::getSeq).max().orElse(-1);
                    synchronized (arrivals) {
                        arrivals.add(new long[] {newest, now});
                    }
                }
            }
        }
    }

    // ---- Kafka plumbing

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024)),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void produceAll(String bootstrap, List<Encoded> traffic) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            traffic.forEach(e -> p.send(new ProducerRecord<>(Topics.EVENTS, e.vm(), e.value())));
            p.flush();
        }
    }

    private static long lag(Admin admin, String group, Map<TopicPartition, Long> end)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue() - (c == null ? 0 : c.offset());
        }
        return lag;
    }
}
