package dev.faultline.collector.host;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Asks /dev/kvm what this kernel offers: KVM_GET_API_VERSION and KVM_CHECK_EXTENSION for each {@link KvmCap}. */
public final class KvmDevice {
    private static final long KVM_GET_API_VERSION = 0xae00L;
    private static final long KVM_CHECK_EXTENSION = 0xae03L;

    private KvmDevice() {
    }

    /**
     * What /dev/kvm answered. {@code problem} is null when it answered; otherwise why it could not be asked
     * (no device, no permission, no native access), and the capabilities are empty.
     */
    public record Answers(boolean present, String problem, int apiVersion, Map<KvmCap, Long> caps) {
        /** The capability's answer; 0 where it was not asked. */
        public long cap(KvmCap c) {
            return caps.getOrDefault(c, 0L);
        }
    }

    public static Answers ask(Path device) {
        if (!Files.exists(device)) {
            return new Answers(false, device + " does not exist (the kvm module is not loaded)", 0, Map.of());
        }
        LibC libc;
        try {
            libc = LibC.load();
        } catch (LinkageError e) {
            return new Answers(true, "no native access to ask it (JNA: " + e.getMessage() + ")", 0, Map.of());
        }
        int fd = libc.open(device.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            return new Answers(true, "cannot open " + device + ": errno " + Native.getLastError(), 0, Map.of());
        }
        try {
            int api = libc.ioctl(fd, new NativeLong(KVM_GET_API_VERSION), 0L);
            Map<KvmCap, Long> caps = new EnumMap<>(KvmCap.class);
            for (KvmCap c : KvmCap.values()) {
                int r = libc.ioctl(fd, new NativeLong(KVM_CHECK_EXTENSION), (long) c.number());
                // a negative answer is an error (EINVAL from a kernel that predates the capability): not offered
                caps.put(c, r < 0 ? 0L : (long) r);
            }
            return new Answers(true, null, api, Map.copyOf(caps));
        } finally {
            libc.close(fd);
        }
    }
}
