package dev.faultline.bench;

import dev.faultline.collector.publish.EventSink;
import dev.faultline.events.Event;
import dev.faultline.serde.AvroSerde;

/** The benchmarks' sink: every event Avro-encoded as the publisher would, then dropped; counts the bytes. */
final class EncodeOnlySink implements EventSink {
    private final AvroSerde<Event> serde = AvroSerde.events();
    private long bytes;

    @Override
    public void accept(Event event) {
        bytes += serde.encode(event).length;
    }

    long bytes() {
        return bytes;
    }
}
