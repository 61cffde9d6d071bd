package dev.faultline.analyser.topology;

import dev.faultline.analyser.metrics.AnalyserCounters;
import dev.faultline.analyser.metrics.AnalyserMetrics;
import dev.faultline.analyser.query.StateQueries;
import dev.faultline.analyser.sinks.SinkChannel;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.events.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;

/** The streaming analyser: the topology on a Kafka cluster, exactly-once, RocksDB state. */
public final class AnalyserApp implements AutoCloseable {
    /** Kafka Streams' application id: the consumer group, and the prefix of the changelog topics. */
    /** How often the analyser commits (its transactions, under exactly-once): alerts become visible then. */
    public static final String COMMIT_INTERVAL_MS = "100";

    private final KafkaStreams streams;
    private final HostInfo applicationServer;
    private final AnalyserCounters counters = new AnalyserCounters();
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    public AnalyserApp(String bootstrapServers, Path stateDir, RuleSet rules, Map<String, String> clientProperties) {
        this(bootstrapServers, stateDir, () -> rules, clientProperties);
    }

    /** With rules that may change while it runs (a {@link dev.faultline.analyser.rules.RuleReloader}). */
    public AnalyserApp(String bootstrapServers, Path stateDir, Supplier<RuleSet> rules, Map<String, String> clientProperties) {
        this.streams = new KafkaStreams(AnalyserTopology.build(rules, AnalyserTopology.DEFAULT_FOLD_WINDOW_MS, counters), config(bootstrapServers, stateDir, clientProperties));
        String server = clientProperties.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        this.applicationServer = server == null || server.isBlank() ? null : HostInfo.buildFromEndpoint(server);
        streams.setUncaughtExceptionHandler(e -> {
            failure.complete(e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /**
     * Completes with the cause once Kafka Streams has given up (a missing ACL, a fenced producer it
     * cannot recover from, ...): the analyser processes nothing more, so its process should end.
     */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    static Properties config(String bootstrapServers, Path stateDir, Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, StoreNames.APPLICATION_ID);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(clientProperties);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // A record that cannot be decoded or processed goes to the dead-letter topic with the reason
        // (KIP-1034 headers) and the analyser carries on.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS);
        return p;
    }

    public void start() {
        streams.start();
    }

    /** This instance's state, through interactive queries. */
    public StateQueries queries() {
        return new StateQueries(streams, applicationServer);
    }

    /** This instance's Prometheus metrics; {@code sinks} are the delivery counters of its sinks, if any. */
    public AnalyserMetrics metrics(Supplier<List<SinkChannel.Stats>> sinks) {
        return new AnalyserMetrics(streams, counters, AnalyserTopology.STORES, sinks);
    }

    /** What one state store of this instance holds: entries, and their bytes as serialised for RocksDB. */
    public record StoreSize(long entries, long keyBytes, long valueBytes) {
    }

    /** The size of each of this instance's stores (read through interactive queries, every entry serialised). */
    @SuppressWarnings("unchecked")
    public Map<String, StoreSize> storeSizes() {
        Map<String, StoreSize> out = new java.util.LinkedHashMap<>();
        for (AnalyserTopology.StoreSpec spec : AnalyserTopology.STORE_SPECS) {
            ReadOnlyKeyValueStore<Object, Object> store = streams.store(StoreQueryParameters.fromNameAndType(spec.name(),
                    QueryableStoreTypes.keyValueStore()));
            Serializer<Object> keys = (Serializer<Object>) spec.keySerde().serializer();
            Serializer<Object> values = (Serializer<Object>) spec.valueSerde().serializer();
            long n = 0;
            long kb = 0;
            long vb = 0;
            try (KeyValueIterator<Object, Object> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<Object, Object> kv = it.next();
                    n++;
                    kb += keys.serialize(spec.name(), kv.key).length;
                    vb += values.serialize(spec.name(), kv.value).length;
                }
            }
            out.put(spec.name(), new StoreSize(n, kb, vb));
        }
        return out;
    }

    /** What this instance's stream threads processed and emitted. */
    public AnalyserCounters counters() {
        return counters;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close();
    }
}
