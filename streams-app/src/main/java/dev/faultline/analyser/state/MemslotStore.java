package dev.faultline.analyser.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A VM's memslots, one store entry each (key {@code vm, 0x00, "addressSpace:slot"}, value the slot as tagged
 * JSON): a guest may have tens of thousands (KVM allows 32 764 per address space), and inside the VM's state
 * they made one changelog record grow with the VM past Kafka's record limit. {@link VmView} loads a VM's
 * slots into its {@link VmState} once and writes each change here.
 */
public final class MemslotStore {
    private static final JsonSerde<VmState.Memslot> SERDE = new JsonSerde<>(VmState.Memslot.class);

    private final ByteStore store;

    public MemslotStore(KeyValueStore<Bytes, byte[]> kv) {
        this(ByteStore.writable(kv));
    }

    public MemslotStore(ByteStore store) {
        this.store = store;
    }

    /** The VM's memslots by "addressSpace:slot". */
    public Map<String, VmState.Memslot> load(String vm) {
        Map<String, VmState.Memslot> out = new TreeMap<>();
        int prefix = vm.getBytes(StandardCharsets.UTF_8).length + 1;
        try (KeyValueIterator<Bytes, byte[]> it = store.reads().range(key(vm, ""), last(vm))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                byte[] k = e.key.get();
                out.put(new String(k, prefix, k.length - prefix, StandardCharsets.UTF_8),
                        SERDE.deserializer().deserialize("memslots", e.value));
            }
        }
        return out;
    }

    public void put(String vm, String slotKey, VmState.Memslot m) {
        store.writes().put(key(vm, slotKey), SERDE.serializer().serialize("memslots", m));
    }

    public void delete(String vm, String slotKey) {
        store.writes().delete(key(vm, slotKey));
    }

    /** Whether this store can be written (the processor's) or only read (a query's). */
    boolean writable() {
        return store.canWrite();
    }

    private static Bytes key(String vm, String slotKey) {
        byte[] v = vm.getBytes(StandardCharsets.UTF_8);
        byte[] s = slotKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(v.length + 1 + s.length).put(v).put((byte) 0).put(s).array());
    }

    /** Past every key of the VM: its prefix with 0x01 in place of the separator. */
    private static Bytes last(String vm) {
        byte[] v = vm.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(v.length + 1).put(v).put((byte) 1).array());
    }
}
