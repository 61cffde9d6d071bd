package dev.faultline.analyser.query;

import dev.faultline.analyser.state.AttributeHistory;
import dev.faultline.analyser.state.ByteStore;
import dev.faultline.analyser.state.IntervalStore;
import dev.faultline.analyser.state.VmState;
import dev.faultline.analyser.state.VmView;
import dev.faultline.analyser.topology.AnalyserTopology;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Reads the analyser's per-VM state on this instance through Kafka Streams interactive queries
 * (IQv2). Only the partitions this instance hosts answer; routing to the owner is the caller's job.
 */
public final class StateQueries {
    private static final String STORE = AnalyserTopology.VM_STATE_STORE;
    private final KafkaStreams streams;

    public StateQueries(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Thrown while the instance cannot answer (starting, rebalancing, shutting down): an HTTP 503. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /** Every VM whose state lives on this instance, by id. */
    public Map<String, VmState> localVms() {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, VmState>> result = streams.query(
                StateQueryRequest.inStore(STORE).withQuery(RangeQuery.<String, VmState>withNoBounds()));
        Map<String, VmState> vms = new TreeMap<>();
        for (QueryResult<KeyValueIterator<String, VmState>> partition : result.getPartitionResults().values()) {
            try (KeyValueIterator<String, VmState> it = succeeded(partition, STORE)) {
                while (it.hasNext()) {
                    KeyValue<String, VmState> kv = it.next();
                    vms.put(kv.key, kv.value);
                }
            }
        }
        return vms;
    }

    /** One VM's state if this instance hosts it. */
    public Optional<VmState> localVm(String vmId) {
        return localView(vmId).map(VmView::state);
    }

    /**
     * One VM's state with its interval maps and attribute history, if this instance hosts it: the
     * same {@link VmView} the rules see, over read-only views of the VM's partition.
     */
    public Optional<VmView> localView(String vmId) {
        requireRunning();
        StateQueryResult<VmState> result = streams.query(
                StateQueryRequest.inStore(STORE).withQuery(KeyQuery.<String, VmState>withKey(vmId)));
        for (Map.Entry<Integer, QueryResult<VmState>> e : result.getPartitionResults().entrySet()) {
            VmState state = succeeded(e.getValue(), STORE);
            if (state != null) {
                int p = e.getKey();
                return Optional.of(new VmView(vmId, state,
                        new IntervalStore(ByteStore.readOnly(new PartitionStore(streams, AnalyserTopology.INTERVAL_STORE, p))),
                        new AttributeHistory(ByteStore.readOnly(new PartitionStore(streams, AnalyserTopology.HISTORY_STORE, p)))));
            }
        }
        return Optional.empty();
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
