package dev.faultline.analyser.alerts;

import java.util.List;

/**
 * One alert being folded: its first occurrence went out; repeats within the window are counted
 * and go out once, as the same alert (same id) with the total count, when the window closes. The
 * same type counts a rule's distinct alerts on a VM against its budget (then without an alert).
 */
public final class AlertFold {
    /** The first occurrence, single-object encoded; null for a budget counter. */
    public byte[] alert;
    public int count;
    /** The count last sent (budget alerts are sent again as they grow). */
    public int sentCount;
    public long lastKernelTsNs;
    public long firstWallMs;
    /** A budget counter's window: the kernel time it starts at (a multiple of the window's length). */
    public long windowStartNs;
    /** Budget entries: the analyser's wall time of their last alert (idle ones are forgotten). */
    public long lastWallMs;
    /** A budget counter's alert keys, at most the budget's number. */
    public List<String> keys;
}
