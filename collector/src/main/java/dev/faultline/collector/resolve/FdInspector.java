package dev.faultline.collector.resolve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Looks at a live process's file descriptors: {@code /proc/<pid>/fd/<n>} reads
 * {@code anon_inode:[kvm-gmem]} for a guest_memfd, and stat through the link gives its inode, which
 * page-cache events carry. Replays have no /proc to ask: they use {@link #NONE}.
 */
public interface FdInspector {

    /** The guest_memfd's inode, or null when the fd is gone or is something else. */
    Long gmemInode(int pid, int fd);

    FdInspector NONE = (pid, fd) -> null;

    /** The real one, over /proc. */
    static FdInspector proc(Path procRoot) {
        return (pid, fd) -> {
            Path link = procRoot.resolve(Integer.toString(pid)).resolve("fd").resolve(Integer.toString(fd));
            try {
                if (!Files.readSymbolicLink(link).toString().equals("anon_inode:[kvm-gmem]")) {
                    return null;
                }
                return ((Number) Files.getAttribute(link, "unix:ino")).longValue();
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
        };
    }
}
