package dev.faultline.collector.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.faultline.events.Event;
import dev.faultline.events.EventHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes each event as one JSON object per line: {@code type} (the body's record name), {@code vm},
 * {@code tid}, {@code ts} (kernel ns), the rest of the header, then the body's fields. 64-bit kernel
 * values (addresses, sizes, offsets, codes) are written as {@code "0x..."} strings: exact, unsigned,
 * and as the kernel prints them; counters and times stay numbers.
 */
public final class JsonlWriter implements EventSink {
    private static final Set<String> DECIMAL_LONGS = Set.of("count", "ret", "vm_type_raw", "seq", "kernel_ts_ns",
            "wall_ts_ms");

    private final JsonGenerator json;

    public JsonlWriter(OutputStream out) {
        try {
            this.json = new JsonFactory().createGenerator(out);
            json.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(Event event) {
        try {
            EventHeader h = event.getHeader();
            SpecificRecord body = (SpecificRecord) event.getBody();
            json.writeStartObject();
            json.writeStringField("type", body.getSchema().getName());
            json.writeStringField("vm", h.getVm());
            json.writeNumberField("tid", h.getTid());
            json.writeNumberField("ts", h.getKernelTsNs());
            json.writeNumberField("seq", h.getSeq());
            json.writeStringField("host", h.getHost());
            writeNullableInt("tgid", h.getTgid());
            if (h.getComm() != null) {
                json.writeStringField("comm", h.getComm());
            }
            writeNullableInt("vcpu", h.getVcpu());
            json.writeNumberField("cpu", h.getCpu());
            json.writeStringField("source", h.getSource().name());
            for (Schema.Field f : body.getSchema().getFields()) {
                Object v = body.get(f.pos());
                if (f.name().equals("cpu")) { // TraceLoss.cpu, the header's cpu: a JSON object names a key once
                    if (!Objects.equals(v, h.getCpu())) {
                        writeField("body_cpu", v);
                    }
                    continue;
                }
                writeField(f.name(), v);
            }
            json.writeEndObject();
            json.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeNullableInt(String name, Integer v) throws IOException {
        if (v != null) {
            json.writeNumberField(name, v);
        }
    }

    private void writeField(String name, Object v) throws IOException {
        if (v == null) {
            json.writeNullField(name);
        } else if (v instanceof Long l) {
            if (DECIMAL_LONGS.contains(name)) {
                json.writeNumberField(name, l);
            } else {
                json.writeStringField(name, "0x" + Long.toHexString(l));
            }
        } else if (v instanceof Integer i) {
            json.writeNumberField(name, i);
        } else if (v instanceof Boolean b) {
            json.writeBooleanField(name, b);
        } else {
            json.writeStringField(name, v.toString());
        }
    }

    @Override
    public void flush() {
        try {
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
