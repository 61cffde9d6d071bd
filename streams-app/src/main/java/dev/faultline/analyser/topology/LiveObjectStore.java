package dev.faultline.analyser.topology;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A Kafka Streams key-value store whose values stay live objects between commits. The processor rewrites
 * the same few keys for nearly every event (a VM's state, a vCPU's context, a rule's window); through the
 * plain store each put serialised the value, wrote RocksDB and sent a changelog record. Here a put keeps
 * the object and marks its key dirty, and the dirty keys are written through, once each, when Kafka
 * Streams flushes its stores' caches, which it does before every commit ({@code StreamTask.prepareCommit}
 * → {@code flushCache}, the same hook its own record cache uses): every committed change is in the
 * changelog within the transaction that commits the input offsets, so exactly-once holds.
 *
 * <p>The hook is Kafka Streams internal API ({@link WrappedStateStore}, {@code CachedStateStore},
 * {@link InternalProcessorContext}). CheckMatchesStreamIT stops an analyser half-way through a trace on a real
 * broker and starts another on an empty state directory, whose state then comes from the changelogs alone:
 * its alerts must be those of the offline check. An upgrade that moves the hook fails there (checked by
 * taking the write-through out of flushCache), not in production.
 *
 * <p>Only the stream thread that owns the task sees the live objects; interactive queries, from other
 * threads, read the store below: the state as of the last commit. A task closed dirty clears what was not
 * written ({@link #clearCache}). Clean objects are dropped after a flush once there are more than
 * {@value #KEEP_CLEAN}, so memory is bounded by keys, never by events.
 */
final class LiveObjectStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {
    static final int KEEP_CLEAN = 100_000;

    /** The value of each key read or written since the last trim; null for a key known absent (or deleted). */
    private final Map<K, V> live = new HashMap<>();
    /** Keys changed since the last flush, with the record context of their last change. */
    private final Map<K, ProcessorRecordContext> dirty = new LinkedHashMap<>();
    private InternalProcessorContext<?, ?> context;
    private Thread owner;

    LiveObjectStore(KeyValueStore<K, V> inner) {
        super(inner);
    }

    /** The plain store's builder with a live store around what it builds. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> around(StoreBuilder<KeyValueStore<K, V>> inner) {
        return new Builder<>(inner);
    }

    @Override
    public void init(StateStoreContext stateContext, StateStore root) {
        live.clear();
        dirty.clear();
        context = stateContext instanceof InternalProcessorContext<?, ?> i ? i : null;
        owner = Thread.currentThread(); // tasks are initialised on the stream thread that processes them
        super.init(stateContext, root);
    }

    private boolean owned() {
        return Thread.currentThread() == owner;
    }

    @Override
    public V get(K key) {
        if (!owned()) {
            return wrapped().get(key);
        }
        if (live.containsKey(key)) {
            return live.get(key);
        }
        V v = wrapped().get(key);
        live.put(key, v);
        return v;
    }

    @Override
    public void put(K key, V value) {
        live.put(key, value);
        dirty.put(key, context == null ? null : context.recordContext());
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(K key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeDirty();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeDirty();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeDirty();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeDirty();
        return wrapped().reverseAll();
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Before each commit: every dirty key written through, once. */
    @Override
    public void flushCache() {
        writeDirty();
        if (live.size() > KEEP_CLEAN) {
            live.clear();
        }
        super.flushCache();
    }

    /** A task closed dirty: what was not written is dropped with it; restoration rebuilds the rest. */
    @Override
    public void clearCache() {
        live.clear();
        dirty.clear();
        super.clearCache();
    }

    @Override
    public void close() {
        live.clear();
        dirty.clear();
        super.close();
    }

    /**
     * Writes the dirty keys to the store below (RocksDB and the changelog), each with the record context of
     * its last change, as Kafka Streams' own cache does: the changelog record carries that record's time.
     * Only the owning thread writes; an iterator asked for by another thread sees the last flush.
     */
    private void writeDirty() {
        if (dirty.isEmpty() || !owned()) {
            return;
        }
        ProcessorRecordContext current = context == null ? null : context.recordContext();
        try {
            for (Map.Entry<K, ProcessorRecordContext> d : dirty.entrySet()) {
                if (context != null && d.getValue() != null) {
                    context.setRecordContext(d.getValue());
                }
                V v = live.get(d.getKey());
                if (v == null) {
                    wrapped().delete(d.getKey());
                } else {
                    wrapped().put(d.getKey(), v);
                }
            }
        } finally {
            if (context != null) {
                context.setRecordContext(current);
            }
        }
        dirty.clear();
    }

    private static final class Builder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {
        private final StoreBuilder<KeyValueStore<K, V>> inner;

        Builder(StoreBuilder<KeyValueStore<K, V>> inner) {
            this.inner = inner;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
            throw new UnsupportedOperationException("a live store is its own cache");
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public KeyValueStore<K, V> build() {
            return new LiveObjectStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
