package dev.faultline.analyser.query;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import java.util.Set;

/**
 * One partition of one of the analyser's byte stores, read through IQv2, so the state classes
 * ({@link dev.faultline.analyser.state.IntervalStore}, {@link dev.faultline.analyser.state.AttributeHistory})
 * answer queries with the same code the processor uses. A VM's keys all live in its partition.
 */
final class PartitionStore implements ReadOnlyKeyValueStore<Bytes, byte[]> {
    private final KafkaStreams streams;
    private final String store;
    private final int partition;

    PartitionStore(KafkaStreams streams, String store, int partition) {
        this.streams = streams;
        this.store = store;
        this.partition = partition;
    }

    @Override
    public byte[] get(Bytes key) {
        return run(KeyQuery.withKey(key));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return run(RangeQuery.withRange(from, to));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return run(RangeQuery.<Bytes, byte[]>withRange(from, to).withDescendingKeys());
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return run(RangeQuery.withNoBounds());
    }

    @Override
    public long approximateNumEntries() {
        throw new UnsupportedOperationException("not available through interactive queries");
    }

    private <R> R run(Query<R> query) {
        QueryResult<R> r = streams.query(StateQueryRequest.inStore(store).withQuery(query).withPartitions(Set.of(partition)))
                .getPartitionResults().get(partition);
        return StateQueries.succeeded(r, store + " partition " + partition);
    }
}
