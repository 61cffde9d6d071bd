package dev.faultline.collector.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The few libc calls the host probe needs: KVM answers capability questions only through ioctl on an
 * open /dev/kvm. JNA, because it runs on Java 17 (the FFM API is final only from 22) and ships its
 * native stub for every Linux architecture inside its jar, so the probe needs no compiler on the host.
 */
interface LibC extends Library {
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;

    int open(String path, int flags);

    int close(int fd);

    /** ioctl is variadic; JNA passes the trailing arguments the way C varargs are passed. */
    int ioctl(int fd, NativeLong request, Object... args);

    /** Loads libc once; throws {@link UnsatisfiedLinkError} (or a LinkageError) where native access is refused. */
    static LibC load() {
        return Holder.INSTANCE;
    }

    /** Lazily, so a JVM that never probes never extracts JNA's stub. */
    final class Holder {
        static final LibC INSTANCE = Native.load("c", LibC.class);

        private Holder() {
        }
    }
}
