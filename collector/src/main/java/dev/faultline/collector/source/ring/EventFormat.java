package dev.faultline.collector.source.ring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trace event's binary layout and print format, read from its tracefs {@code format} file at start:
 * nothing about a record's layout is hard-coded, so a kernel that moves a field is read right.
 */
public record EventFormat(String system, String name, int id, Map<String, Field> fields, String printFmt) {

    /** A field at an offset in the record: a number (1, 2, 4 or 8 bytes), a char array or a __data_loc string. */
    public record Field(String name, String type, int offset, int size, boolean signed) {
        boolean isString() {
            return type.contains("char") && (type.contains("[") || type.startsWith("__data_loc"));
        }

        boolean isDataLoc() {
            return type.startsWith("__data_loc");
        }

        /** The field as a number: sign-extended when the kernel says it is signed. */
        public long number(ByteBuffer rec, int base) {
            int at = base + offset;
            return switch (size) {
                case 1 -> signed ? rec.get(at) : rec.get(at) & 0xffL;
                case 2 -> signed ? rec.getShort(at) : rec.getShort(at) & 0xffffL;
                case 4 -> signed ? rec.getInt(at) : rec.getInt(at) & 0xffff_ffffL;
                case 8 -> rec.getLong(at);
                default -> throw new IllegalArgumentException("field " + name + " of " + size + " bytes is no number");
            };
        }

        /**
         * Writes a number into the field (its low bytes; arrays and strings are left as they are): the inverse of
         * {@link #number}, for building records (tests, benchmarks).
         */
        public void put(ByteBuffer rec, int base, long v) {
            int at = base + offset;
            switch (size) {
                case 1 -> rec.put(at, (byte) v);
                case 2 -> rec.putShort(at, (short) v);
                case 4 -> rec.putInt(at, (int) v);
                case 8 -> rec.putLong(at, v);
                default -> {
                    // an array or a string: not a number
                }
            }
        }

        /** The field as a string: a NUL-terminated char array, or the dynamic string a __data_loc points at. */
        public String string(ByteBuffer rec, int base, int recordLength) {
            int start = base + offset;
            int max = size == 0 ? recordLength - offset : size; // char buf[]: to the record's end
            if (isDataLoc()) {
                int loc = rec.getInt(start);
                start = base + (loc & 0xffff);
                max = (loc >>> 16) & 0xffff;
            }
            int end = start;
            int limit = Math.min(start + max, base + recordLength);
            while (end < limit && rec.get(end) != 0) {
                end++;
            }
            byte[] b = new byte[end - start];
            rec.get(start, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** Parses a {@code format} file's text; {@code where} names it in errors. */
    public static EventFormat parse(String system, String where, String text) {
        String name = null;
        int id = -1;
        String printFmt = null;
        Map<String, Field> fields = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("name:")) {
                name = line.substring(5).strip();
            } else if (line.startsWith("ID:")) {
                id = Integer.parseInt(line.substring(3).strip());
            } else if (line.startsWith("field:")) {
                Field f = field(line, where);
                fields.put(f.name(), f);
            } else if (line.startsWith("print fmt:")) {
                printFmt = line.substring(10).strip();
            }
        }
        if (name == null || id < 0 || printFmt == null) {
            throw new IllegalArgumentException(where + ": not a trace event format file (name, ID or print fmt missing)");
        }
        return new EventFormat(system, name, id, fields, printFmt);
    }

    // field:unsigned int len;	offset:12;	size:4;	signed:0;
    private static Field field(String line, String where) {
        List<String> parts = new ArrayList<>();
        for (String p : line.split(";")) {
            if (!p.isBlank()) {
                parts.add(p.strip());
            }
        }
        try {
            String decl = parts.get(0).substring("field:".length()).strip();
            int offset = Integer.parseInt(value(parts.get(1), "offset"));
            int size = Integer.parseInt(value(parts.get(2), "size"));
            boolean signed = parts.size() > 3 && value(parts.get(3), "signed").equals("1");
            String declNoArray = decl.contains("[") && !decl.startsWith("__data_loc") ? decl.substring(0, decl.indexOf('[')) : decl;
            int sp = declNoArray.lastIndexOf(' ');
            String fieldName = declNoArray.substring(sp + 1);
            String type = decl.startsWith("__data_loc") ? decl : declNoArray.substring(0, sp) + decl.substring(declNoArray.length());
            return new Field(fieldName, type.strip(), offset, size, signed);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": bad field line '" + line + "': " + e.getMessage(), e);
        }
    }

    private static String value(String part, String key) {
        if (!part.startsWith(key + ":")) {
            throw new IllegalArgumentException("expected " + key);
        }
        return part.substring(key.length() + 1).strip();
    }

    public Field field(String fieldName) {
        return fields.get(fieldName);
    }

    /** A zeroed little-endian record of this event, as long as its fields reach (8-byte aligned), common_type set. */
    public ByteBuffer newRecord() {
        int size = fields.values().stream().mapToInt(x -> x.offset() + Math.max(x.size(), 1)).max().orElse(8);
        ByteBuffer b = ByteBuffer.allocate((size + 7) & ~7).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) id);
        return b;
    }
}
