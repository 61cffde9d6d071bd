package dev.faultline.collector.resolve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A map from int keys (thread and process ids) to non-null values, for the lookups the resolver makes on
 * every line: a {@code HashMap<Integer, V>} boxes each id past Integer's small cache, an allocation per
 * lookup. Open addressing with linear probing; removal shifts the following entries back, so no
 * tombstones build up as threads come and go. Not thread-safe.
 */
final class IntMap<V> {
    private int[] keys = new int[16];
    private Object[] values = new Object[16];
    private int size;

    @SuppressWarnings("unchecked")
    V get(int key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Maps {@code key} to {@code value} (not null); returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("IntMap holds no null values (key " + key + ")");
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size > keys.length / 2) {
            grow();
        }
        return null;
    }

    /** Removes {@code key}; returns its value, or null when it had none. */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return null;
        }
        V old = (V) values[i];
        deleteAt(i);
        return old;
    }

    /** Removes every entry whose value matches. */
    void removeValues(Predicate<? super V> match) {
        for (int key : keysWhere(match)) {
            remove(key);
        }
    }

    /** A copy of the values, in no particular order. */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                out.add((V) v);
            }
        }
        return out;
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    @SuppressWarnings("unchecked")
    private int[] keysWhere(Predicate<? super V> match) {
        int[] out = new int[size];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && match.test((V) values[i])) {
                out[n++] = keys[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Empties slot {@code hole}, moving back any later entry of the run that probing would no longer reach. */
    private void deleteAt(int hole) {
        int mask = keys.length - 1;
        values[hole] = null;
        size--;
        for (int i = (hole + 1) & mask; values[i] != null; i = (i + 1) & mask) {
            int home = slot(keys[i], mask);
            // The entry at i may fill the hole only if its home slot is not in (hole, i] (cyclically).
            boolean homeBetween = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!homeBetween) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] != null) {
                int i = slot(oldKeys[j], mask);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** Ids are dense and sequential: mixed so that neighbours do not form long probe runs. */
    private static int slot(int key, int mask) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
