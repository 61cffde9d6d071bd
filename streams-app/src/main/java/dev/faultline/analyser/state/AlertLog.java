package dev.faultline.analyser.state;

import dev.faultline.alerts.Alert;
import dev.faultline.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A VM's latest alerts with their evidence, for the query API and dashboard: one entry per alert
 * (key {@code vm, 0x00, first time, alert id}; value the Avro alert), so recording one costs the
 * same however many a VM has. At most {@link #KEEP} per VM: past that the oldest is dropped (all
 * stay on faultline.alerts). Counts live in {@link VmState}, as for {@link AttributeHistory}.
 */
public final class AlertLog {
    public static final int KEEP = 200;
    private static final AvroSerde<Alert> SERDE = AvroSerde.alerts();

    private final ByteStore store;

    public AlertLog(KeyValueStore<Bytes, byte[]> kv) {
        this(ByteStore.writable(kv));
    }

    public AlertLog(ByteStore store) {
        this.store = store;
    }

    /**
     * Records an alert; a fold summary (same first time and id) replaces its first emission.
     * Returns whether {@code state} changed (and must be written).
     */
    public boolean record(VmState state, Alert a) {
        Bytes key = key(a.getVm(), a.getFirstKernelTsNs(), a.getAlertId());
        boolean fresh = store.reads().get(key) == null;
        store.writes().put(key, SERDE.encode(a));
        if (a.getCount() == 1) {
            state.alertsPerRule.merge(a.getRule(), 1L, Long::sum);
        }
        if (fresh) {
            state.alertsKept++;
            while (state.alertsKept > KEEP) {
                // from the last trim on: the scan starts past the keys deleted before (RocksDB would step over
                // each one's tombstone), so a VM's thousandth trim costs what its first did
                try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(a.getVm(), state.alertsHorizonNs, ""),
                        last(a.getVm()))) {
                    if (!it.hasNext()) {
                        break;
                    }
                    Bytes oldest = it.next().key;
                    store.writes().delete(oldest);
                    state.alertsKept--;
                    state.alertsHorizonNs = firstTsOf(oldest, a.getVm());
                }
            }
        }
        return fresh || a.getCount() == 1;
    }

    /** The VM's kept alerts, newest first, at most {@code limit}. */
    public List<Alert> latest(String vm, int limit) {
        List<Alert> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().reverseRange(first(vm), last(vm))) {
            while (it.hasNext() && out.size() < limit) {
                out.add(SERDE.decode(it.next().value));
            }
        }
        return out;
    }

    // Times are signed; flipping the sign bit makes their byte order numeric (as in AttributeHistory).
    private static Bytes key(String vm, long firstTsNs, String alertId) {
        byte[] v = vm.getBytes(StandardCharsets.UTF_8);
        byte[] id = alertId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(v.length + 9 + id.length).put(v).put((byte) 0)
                .putLong(firstTsNs ^ Long.MIN_VALUE).put(id).array());
    }

    private static long firstTsOf(Bytes key, String vm) {
        return ByteBuffer.wrap(key.get(), vm.getBytes(StandardCharsets.UTF_8).length + 1, 8).getLong() ^ Long.MIN_VALUE;
    }

    private static Bytes first(String vm) {
        return key(vm, Long.MIN_VALUE, "");
    }

    /** Past every key of the VM: its prefix with 0x01 in place of the separator. */
    private static Bytes last(String vm) {
        byte[] v = vm.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(v.length + 1).put(v).put((byte) 1).array());
    }
}
