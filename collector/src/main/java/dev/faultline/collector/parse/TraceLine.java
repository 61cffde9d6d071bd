package dev.faultline.collector.parse;

/**
 * One event line: {@code <comm>-<tid> [(<tgid>)] [<cpu>] [<flags>] <secs.frac>: <event>: <payload>}.
 * Syscall events print without the {@code event:} prefix: {@code sys_ioctl(fd: 5, ...)} is an
 * {@link Kind#SYSCALL_ENTER} with the argument list as payload, {@code sys_ioctl -> 0x0} a
 * {@link Kind#SYSCALL_EXIT} with the return value as payload.
 *
 * @param comm  task name, or null for the {@code <...>} placeholder
 * @param tgid  process id, or -1 when the column is absent or shows {@code (-------)}
 */
public record TraceLine(String comm, int tid, int tgid, int cpu, long tsNs, String event, Kind kind, String payload)
        implements ParsedLine {

    public enum Kind { EVENT, SYSCALL_ENTER, SYSCALL_EXIT }

    public static final int NO_TGID = -1;

    public boolean hasTgid() {
        return tgid != NO_TGID;
    }
}
