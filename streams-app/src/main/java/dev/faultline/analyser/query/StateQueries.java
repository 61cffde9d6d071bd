package dev.faultline.analyser.query;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.state.AlertLog;
import dev.faultline.analyser.state.AttributeHistory;
import dev.faultline.analyser.state.ByteStore;
import dev.faultline.analyser.state.IntervalStore;
import dev.faultline.analyser.state.MemslotStore;
import dev.faultline.analyser.state.StoreNames;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * Reads the analyser's per-VM state on this instance through Kafka Streams interactive queries
 * (IQv2). Only the partitions this instance hosts answer; routing to the owner is the caller's job.
 */
public final class StateQueries {
    private static final String STORE = StoreNames.VM_STATE;
    private static final String ALERTS = StoreNames.ALERTS;
    private final KafkaStreams streams;
    /** This instance's application.server, or null when it has none (a lone instance owns everything). */
    private final HostInfo self;

    public StateQueries(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** Where a VM's state lives: here, or on the instance at {@code host:port}. */
    public record Owner(boolean local, String host, int port) {
    }

    /**
     * The instance that owns a VM's partition (active, not standby). Unknown VMs have an owner too:
     * the one that would hold them, which then answers 404.
     */
    public Owner ownerOf(String vmId) {
        requireRunning();
        if (self == null) {
            return new Owner(true, null, -1);
        }
        KeyQueryMetadata md = streams.queryMetadataForKey(STORE, vmId, Serdes.String().serializer());
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE) || md.activeHost() == null
                || md.activeHost().equals(HostInfo.unavailable())) {
            throw new UnavailableException("the owner of VM '" + vmId + "' is not known yet (rebalancing)");
        }
        HostInfo h = md.activeHost();
        return new Owner(h.equals(self), h.host(), h.port());
    }

    /** The other instances of this analyser (by application.server), for questions about every VM. */
    public List<Owner> otherInstances() {
        requireRunning();
        if (self == null) {
            return List.of();
        }
        return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo)
                .filter(h -> !h.equals(self) && !h.equals(HostInfo.unavailable())).distinct()
                .map(h -> new Owner(false, h.host(), h.port())).toList();
    }

    /** A VM's kept alerts, newest first, at most {@code limit}, if this instance hosts the VM. */
    public Optional<List<Alert>> localAlerts(String vmId, int limit) {
        KeyValue<Integer, VmState> found = lookup(STORE, vmId);
        return found == null ? Optional.empty() : Optional.of(new AlertLog(ByteStore.readOnly(
                new PartitionStore(streams, ALERTS, found.key))).latest(vmId, limit));
    }

    /**
     * The value of {@code key} in a String-keyed store with the partition holding it, or null when that partition,
     * active here, has no such key. Only the key's own partition is asked: a partition still restoring after a
     * takeover answers NOT_ACTIVE/NOT_PRESENT (503, ask again) instead of being left out of the answer, which read
     * as "no such VM" (404) while the VM's state was on its way. A lone instance without application.server has
     * no key metadata; all its partitions are asked.
     */
    private <V> KeyValue<Integer, V> lookup(String store, String key) {
        requireRunning();
        if (self == null) { // a lone instance (no application.server, no metadata): every partition is here
            StateQueryResult<V> all = streams.query(StateQueryRequest.inStore(store).withQuery(KeyQuery.<String, V>withKey(key)));
            for (Map.Entry<Integer, QueryResult<V>> e : all.getPartitionResults().entrySet()) {
                V v = succeeded(e.getValue(), store);
                if (v != null) {
                    return KeyValue.pair(e.getKey(), v);
                }
            }
            return null;
        }
        KeyQueryMetadata md = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new UnavailableException("the partition of '" + key + "' is not known yet (rebalancing)");
        }
        int partition = md.partition();
        StateQueryResult<V> result = streams.query(StateQueryRequest.inStore(store).withQuery(KeyQuery.<String, V>withKey(key))
                .withPartitions(java.util.Set.of(partition)).requireActive());
        V v = succeeded(result.getPartitionResults().get(partition), store);
        return v == null ? null : KeyValue.pair(partition, v);
    }

    /** Thrown while the instance cannot answer (starting, rebalancing, shutting down): an HTTP 503. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /** At most this many alerts are kept per VM (the alert log's bound). */
    public static final int ALERTS_KEPT = AlertLog.KEEP;

    /** Every VM whose state lives on this instance, by id. */
    public Map<String, VmFacts> localVms() {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, VmState>> result = streams.query(
                StateQueryRequest.inStore(STORE).withQuery(RangeQuery.<String, VmState>withNoBounds()));
        Map<String, VmFacts> out = new TreeMap<>();
        result.getPartitionResults().forEach((p, partition) -> {
            try (KeyValueIterator<String, VmState> it = succeeded(partition, STORE)) {
                it.forEachRemaining(kv -> out.put(kv.key, reader(kv.key, kv.value, p).facts()));
            }
        });
        return out;
    }

    /** One VM's state if this instance hosts it. */
    public Optional<VmFacts> localVm(String vmId) {
        return localView(vmId).map(VmReader::facts);
    }

    /**
     * One VM's state with its interval maps and attribute history, if this instance hosts it: read from
     * the state the rules see, through read-only views of the VM's partition.
     */
    public Optional<VmReader> localView(String vmId) {
        KeyValue<Integer, VmState> found = lookup(STORE, vmId);
        if (found == null) {
            return Optional.empty();
        }
        int p = found.key;
        return Optional.of(reader(vmId, found.value, p));
    }

    /** A VM's state with read-only views of its partition's interval maps, history and memslots. */
    private VmReader reader(String vmId, VmState state, int p) {
        return new VmReader(new VmView(vmId, state,
                new IntervalStore(ByteStore.readOnly(new PartitionStore(streams, StoreNames.INTERVALS, p))),
                new AttributeHistory(ByteStore.readOnly(new PartitionStore(streams, StoreNames.HISTORY, p))),
                new MemslotStore(ByteStore.readOnly(new PartitionStore(streams, StoreNames.MEMSLOTS, p)))));
    }

    /** Why this instance cannot answer now (starting, rebalancing, stopping), or null when it can. */
    public String notReadyReason() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.RUNNING ? null : "analyser is " + s + "; state cannot be queried until it is RUNNING";
    }

    private void requireRunning() {
        String reason = notReadyReason();
        if (reason != null) {
            throw new UnavailableException(reason);
        }
    }

    static <R> R succeeded(QueryResult<R> r, String where) {
        if (r == null) {
            throw new UnavailableException(where + " is not hosted here");
        }
        if (r.isFailure()) {
            // A partition moving between instances answers NOT_ACTIVE/NOT_PRESENT: ask again later.
            throw new UnavailableException(where + ": " + r.getFailureReason() + ": " + r.getFailureMessage());
        }
        return r.getResult();
    }
}
