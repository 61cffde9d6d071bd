package dev.faultline.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/** Seeded records of any schema, with the 64-bit extremes guests can produce. */
final class RandomRecords {
    private static final long[] EXTREMES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0xfffff000L};
    private final Random random;
    private final GenericData model;

    RandomRecords(long seed, GenericData model) {
        this.random = new Random(seed);
        this.model = model;
    }

    Object of(Schema s) {
        switch (s.getType()) {
            case RECORD: {
                GenericData.Record r = (GenericData.Record) new GenericData.Record(s);
                Object out = model.newRecord(null, s);
                for (Schema.Field f : s.getFields()) {
                    model.setField(out, f.name(), f.pos(), of(f.schema()));
                }
                return out == null ? r : out;
            }
            case UNION: {
                List<Schema> branches = s.getTypes();
                return of(branches.get(random.nextInt(branches.size())));
            }
            case ENUM:
                return model.createEnum(s.getEnumSymbols().get(random.nextInt(s.getEnumSymbols().size())), s);
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    l.add(of(s.getElementType()));
                }
                return l;
            }
            case MAP: {
                Map<String, Object> m = new HashMap<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    m.put("k" + i, of(s.getValueType()));
                }
                return m;
            }
            case STRING:
                return "s-" + Long.toHexString(random.nextLong());
            case LONG:
                return random.nextBoolean() ? EXTREMES[random.nextInt(EXTREMES.length)] : random.nextLong();
            case INT:
                return random.nextInt();
            case BOOLEAN:
                return random.nextBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no generator for " + s.getType());
        }
    }
}
