package dev.faultline.analyser.state;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** A real RocksDB key-value store in a temp dir, for unit tests of state classes. */
public final class RocksStores {
    private RocksStores() {
    }

    public static KeyValueStore<Bytes, byte[]> open(Path dir, String name) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "unit");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        MockProcessorContext<Object, Object> ctx = new MockProcessorContext<>(p, new TaskId(0, 0), dir.toFile());
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        store.init(ctx.getStateStoreContext(), store);
        return store;
    }
}
