package dev.faultline.analyser.topology;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store of live objects in a sorted map, for the offline analyser: no serde, no changelog, no
 * RocksDB, so what the analyser keeps costs only its objects. Keys sort as RocksDB sorts their bytes
 * (unsigned bytes; a String by code point, which is its UTF-8 byte order), so every scan sees the order
 * the streaming analyser sees. Iterators step from key to key, so the store may change under them, as
 * the processor's read-then-write loops do with RocksDB. Values sit in a hash map, keys also in a sorted
 * set: point reads and rewrites of a key, nearly all the traffic, never compare keys.
 */
final class MemoryStore<K, V> implements KeyValueStore<K, V> {
    private final String name;
    private final HashMap<K, V> values = new HashMap<>();
    private final TreeSet<K> keys;

    private MemoryStore(String name, Comparator<? super K> order) {
        this.name = name;
        this.keys = new TreeSet<>(order);
    }

    /** A store of {@code keyType} keys (String or Bytes), ordered as RocksDB orders their serialised bytes. */
    @SuppressWarnings("unchecked")
    static <K, V> MemoryStore<K, V> of(String name, Class<?> keyType) {
        if (keyType == String.class) {
            return (MemoryStore<K, V>) new MemoryStore<String, V>(name, MemoryStore::byCodePoint);
        }
        if (keyType == Bytes.class) {
            return (MemoryStore<K, V>) new MemoryStore<Bytes, V>(name, Comparator.naturalOrder());
        }
        throw new IllegalArgumentException("store " + name + ": no byte order known for keys of " + keyType);
    }

    private static int byCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            delete(key);
        } else if (values.put(key, value) == null) {
            keys.add(key);
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = values.get(key);
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
        V old = values.remove(key);
        if (old != null) {
            keys.remove(key);
        }
        return old;
    }

    @Override
    public V get(K key) {
        return values.get(key);
    }

    /** Keys from {@code from} to {@code to}, both included (null: unbounded), as RocksDB ranges are. */
    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        return new Steps(from, to, false);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        return new Steps(from, to, true);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return new Steps(null, null, false);
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        return new Steps(null, null, true);
    }

    @Override
    public long approximateNumEntries() {
        return values.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // nothing to restore: the offline analyser starts empty
    }

    @Override
    public void close() {
        values.clear();
        keys.clear();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    /** Walks the keys one lookup at a time from the last key handed out. */
    private final class Steps implements KeyValueIterator<K, V> {
        private final K from;
        private final K to;
        private final boolean reverse;
        private K last;
        private boolean started;
        private K next;

        Steps(K from, K to, boolean reverse) {
            this.from = from;
            this.to = to;
            this.reverse = reverse;
        }

        private K advance() {
            K k;
            if (!started) {
                K start = reverse ? to : from;
                k = keys.isEmpty() ? null : start == null ? (reverse ? keys.last() : keys.first())
                        : reverse ? keys.floor(start) : keys.ceiling(start);
            } else {
                k = reverse ? keys.lower(last) : keys.higher(last);
            }
            K end = reverse ? from : to;
            if (k != null && end != null) {
                int c = keys.comparator().compare(k, end);
                if (reverse ? c < 0 : c > 0) {
                    k = null;
                }
            }
            return k;
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = advance();
                started = true;
                if (next != null) {
                    last = next;
                }
            }
            return next != null;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            V v = values.get(next);
            K k = next;
            next = null;
            if (v == null) { // deleted since hasNext looked: the next one, as a RocksDB iterator would not show it either
                return next();
            }
            return KeyValue.pair(k, v);
        }

        @Override
        public K peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
