package dev.faultline.collector.source.tracefs;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kernel-side filters that cut volume before it reaches the collector: a process-name glob on every
 * event, and page-cache events only for the device of the anonymous-inode filesystem that
 * guest_memfd files live on (system-wide page-cache traffic is most of a host's volume otherwise).
 */
public final class EventFilters {
    private EventFilters() {
    }

    /** Filter expressions by event (system/event), for {@link TracefsSession#open}. */
    public static Map<String, String> of(List<String> events, String commGlob, Long filemapDev) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String ev : events) {
            StringBuilder f = new StringBuilder();
            if (commGlob != null) {
                f.append("comm ~ \"").append(commGlob.replace("\"", "")).append('"');
            }
            if (filemapDev != null && (ev.equals("filemap/mm_filemap_add_to_page_cache")
                    || ev.equals("filemap/mm_filemap_delete_from_page_cache"))) {
                f.append(f.length() > 0 ? " && " : "").append("s_dev == ").append(filemapDev);
            }
            if (f.length() > 0) {
                out.put(ev, f.toString());
            }
        }
        return out;
    }

    /**
     * The kernel dev_t (major << 20 | minor) of the anonymous-inode filesystem, learnt from an epoll fd
     * of this process (a NIO selector is one); null when it cannot be found.
     */
    public static Long anonInodeDev() {
        try (Selector keepAnEpollOpen = Selector.open(); var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("anon_inode:")) {
                        long dev = ((Number) Files.getAttribute(fd, "unix:dev")).longValue();
                        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
                        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
                        return (major << 20) | minor;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // an fd that closed meanwhile
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** system/event for a name given as event or system/event; null when no standard event has that name. */
    public static String qualify(String name) {
        if (name.contains("/")) {
            return name;
        }
        return TracefsSession.STANDARD_EVENTS.stream().filter(e -> e.endsWith("/" + name)).findFirst().orElse(null);
    }
}
