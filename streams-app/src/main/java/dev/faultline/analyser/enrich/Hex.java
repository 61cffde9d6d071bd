package dev.faultline.analyser.enrich;

/** How addresses and values are written in facts, messages and evidence: 0x and lower-case hex, unsigned. */
public final class Hex {
    private Hex() {
    }

    public static String of(long v) {
        return "0x" + Long.toHexString(v);
    }
}
