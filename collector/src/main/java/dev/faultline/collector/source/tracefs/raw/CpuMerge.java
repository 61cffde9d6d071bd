package dev.faultline.collector.source.tracefs.raw;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-CPU streams, each in time order, merged into one. A CPU's stream is settled up to the time of
 * the last record read from it (data or marker): nothing older can come from it later. An item goes out
 * once every CPU is settled up to its time, so items leave in time order without a guessed delay.
 */
final class CpuMerge<T> {
    private record Item<T>(long ts, T item) {
    }

    private final List<ArrayDeque<Item<T>>> perCpu = new ArrayList<>();
    private final long[] settled;

    CpuMerge(int cpus) {
        for (int i = 0; i < cpus; i++) {
            perCpu.add(new ArrayDeque<>());
        }
        settled = new long[cpus];
        Arrays.fill(settled, Long.MIN_VALUE);
    }

    /** A page's items (records, loss), and the time of its last record of any kind (a page of markers settles too). */
    void add(int slot, long[] ts, T[] items, int size, long lastRecordTs) {
        ArrayDeque<Item<T>> d = perCpu.get(slot);
        for (int i = 0; i < size; i++) {
            d.add(new Item<>(ts[i], items[i]));
        }
        settled[slot] = Math.max(settled[slot], lastRecordTs);
    }

    long settled(int slot) {
        return settled[slot];
    }

    /**
     * Hands over, in time order, every line at or before the time all CPUs are settled to, taking a CPU
     * as settled at least to {@code floor} (the fallback for a CPU that cannot be ticked); returns that time.
     */
    long emit(long floor, Consumer<T> out) {
        long through = Long.MAX_VALUE;
        for (long s : settled) {
            through = Math.min(through, Math.max(s, floor));
        }
        while (true) {
            ArrayDeque<Item<T>> oldest = null;
            for (int i = 0; i < perCpu.size(); i++) {
                ArrayDeque<Item<T>> d = perCpu.get(i);
                if (!d.isEmpty() && (oldest == null || d.peek().ts() < oldest.peek().ts())) {
                    oldest = d;
                }
            }
            if (oldest == null || oldest.peek().ts() > through) {
                return through;
            }
            out.accept(oldest.poll().item());
        }
    }

    /** At the end: everything left, in time order. */
    void flush(Consumer<T> out) {
        emit(Long.MAX_VALUE, out);
    }
}
