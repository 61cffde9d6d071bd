package dev.faultline.analyser.alerts;

/**
 * One alert being folded: its first occurrence went out; repeats within the window are counted
 * and go out once, as the same alert (same id) with the total count, when the window closes.
 */
public final class AlertFold {
    /** The first occurrence, single-object encoded. */
    public byte[] alert;
    public int count;
    public long lastKernelTsNs;
    public long firstWallMs;
}
