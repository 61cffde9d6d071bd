package dev.faultline.analyser.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A byte key-value store as the state classes use it: writable in the processor, read-only when
 * a query reads it through interactive queries.
 */
public final class ByteStore {
    private final ReadOnlyKeyValueStore<Bytes, byte[]> reads;
    private final KeyValueStore<Bytes, byte[]> writes;

    private ByteStore(ReadOnlyKeyValueStore<Bytes, byte[]> reads, KeyValueStore<Bytes, byte[]> writes) {
        this.reads = reads;
        this.writes = writes;
    }

    public static ByteStore writable(KeyValueStore<Bytes, byte[]> kv) {
        return new ByteStore(kv, kv);
    }

    public static ByteStore readOnly(ReadOnlyKeyValueStore<Bytes, byte[]> kv) {
        return new ByteStore(kv, null);
    }

    ReadOnlyKeyValueStore<Bytes, byte[]> reads() {
        return reads;
    }

    boolean canWrite() {
        return writes != null;
    }

    KeyValueStore<Bytes, byte[]> writes() {
        if (writes == null) {
            throw new UnsupportedOperationException("state read through a query cannot be changed");
        }
        return writes;
    }
}
