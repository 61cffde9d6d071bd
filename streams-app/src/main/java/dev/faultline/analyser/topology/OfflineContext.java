package dev.faultline.analyser.topology;

import dev.faultline.alerts.Alert;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What the analyser's processor sees of Kafka Streams when it runs offline: the topology's stores as
 * {@link MemoryStore}s, its alerts collected instead of produced, and a wall clock that stands still until
 * {@link #advance} moves it (the trace, not the machine, sets the pace; the fold windows close when the
 * input is complete). Whatever else a processor might ask for is refused, so a new need shows at once.
 */
final class OfflineContext implements ProcessorContext<String, Alert> {
    private final Map<String, StateStore> stores;
    private final List<Alert> forwarded = new ArrayList<>();
    private final List<Schedule> schedules = new ArrayList<>();
    private long wallMs;
    private long streamMs = -1;

    private static final class Schedule implements Cancellable {
        final long intervalMs;
        final Punctuator punctuator;
        long nextMs;
        boolean cancelled;

        Schedule(long intervalMs, Punctuator punctuator, long nextMs) {
            this.intervalMs = intervalMs;
            this.punctuator = punctuator;
            this.nextMs = nextMs;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    OfflineContext(Map<String, StateStore> stores) {
        this.stores = stores;
    }

    /** Moves the wall clock on by {@code by}, running each wall-clock punctuation that falls due, once. */
    void advance(Duration by) {
        wallMs += by.toMillis();
        for (Schedule s : List.copyOf(schedules)) {
            if (!s.cancelled && wallMs >= s.nextMs) {
                s.punctuator.punctuate(wallMs);
                s.nextMs = wallMs + s.intervalMs;
            }
        }
    }

    /** The stream time: the newest record timestamp seen. */
    void observed(long recordTimestampMs) {
        streamMs = Math.max(streamMs, recordTimestampMs);
    }

    /** The alerts forwarded since the last call. */
    List<Alert> takeForwarded() {
        List<Alert> out = List.copyOf(forwarded);
        forwarded.clear();
        return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S extends StateStore> S getStateStore(String name) {
        StateStore s = stores.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no store " + name + " in the offline analyser");
        }
        return (S) s;
    }

    @Override
    public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
        if (type != PunctuationType.WALL_CLOCK_TIME) {
            throw new UnsupportedOperationException("offline, only wall-clock punctuation runs");
        }
        Schedule s = new Schedule(interval.toMillis(), callback, wallMs + interval.toMillis());
        schedules.add(s);
        return s;
    }

    @Override
    public Cancellable schedule(Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
        throw new UnsupportedOperationException("offline: schedule with a start time");
    }

    @Override
    public <K extends String, V extends Alert> void forward(Record<K, V> record) {
        forwarded.add(record.value());
    }

    @Override
    public <K extends String, V extends Alert> void forward(Record<K, V> record, String childName) {
        forward(record);
    }

    @Override
    public long currentSystemTimeMs() {
        return wallMs;
    }

    @Override
    public long currentStreamTimeMs() {
        return streamMs;
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return Optional.empty();
    }

    @Override
    public void commit() {
        // nothing to commit: offline state lives and dies with the run
    }

    @Override
    public String applicationId() {
        return "faultline-check";
    }

    @Override
    public TaskId taskId() {
        return new TaskId(0, 0);
    }

    @Override
    public Serde<?> keySerde() {
        throw new UnsupportedOperationException("offline: no default serdes");
    }

    @Override
    public Serde<?> valueSerde() {
        throw new UnsupportedOperationException("offline: no default serdes");
    }

    @Override
    public File stateDir() {
        throw new UnsupportedOperationException("offline: no state directory");
    }

    @Override
    public StreamsMetrics metrics() {
        throw new UnsupportedOperationException("offline: no Kafka Streams metrics");
    }

    @Override
    public Map<String, Object> appConfigs() {
        return Map.of();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return Map.of();
    }
}
