package dev.faultline.analyser.state;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The tag every stored state value starts with: {@value #MAGIC_HEX}, then the version of its store's format
 * (the alert log's entries are Avro single-object encodings, versioned by their schema's fingerprint). Values
 * written before the tag (state release 0, StateCompatibilityTest) are recognised by each format: JSON by its
 * opening brace, binary layouts by their length. A value tagged with a newer version than this release reads
 * is refused with both versions named, never misread.
 */
public final class StateFormat {
    static final byte MAGIC = (byte) 0xFA;
    static final String MAGIC_HEX = "0xFA";
    /** The format version this release writes, and the newest it reads. */
    public static final int VERSION = 1;
    /** Bytes the tag takes. */
    public static final int TAG = 2;

    private StateFormat() {
    }

    /** A new value of {@code payload} bytes with the tag written; the payload goes from {@link #TAG} on. */
    static byte[] allocate(int payload) {
        byte[] v = new byte[TAG + payload];
        v[0] = MAGIC;
        v[1] = VERSION;
        return v;
    }

    /**
     * Where the payload of a stored value starts: 0 for a value from before the tag ({@code untagged}, as the
     * format tells), else after a tag this release can read. {@code what} names the value in errors.
     */
    static int payloadStart(byte[] value, boolean untagged, String what) {
        if (untagged) {
            return 0;
        }
        if (value.length < TAG || value[0] != MAGIC) {
            throw new SerializationException(what + ": not a Faultline state value (" + value.length + " bytes)");
        }
        if (value[1] > VERSION || value[1] < 1) {
            throw new SerializationException(what + ": state format " + value[1] + ", written by another Faultline; this"
                    + " release reads formats up to " + VERSION);
        }
        return TAG;
    }
}
