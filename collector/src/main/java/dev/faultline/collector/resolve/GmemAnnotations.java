package dev.faultline.collector.resolve;

import java.util.HashMap;
import java.util.Map;

/**
 * Gmem facts from {@code #>} annotations, the same facts the live collector reads from
 * {@code /proc/<pid>/fd}: {@code #> <comm>: fd <N> -> anon_inode:[kvm-gmem] (... st_ino <ino> st_size <size> ...)}.
 * A fact waits for the process of that name to create a guest_memfd with that fd.
 */
final class GmemAnnotations {

    record FdFacts(long inode, Long size) {
    }

    private final Map<String, FdFacts> byCommAndFd = new HashMap<>();

    void add(String text) {
        int colon = text.indexOf(": fd ");
        if (colon < 0 || !text.contains("anon_inode:[kvm-gmem]")) {
            return;
        }
        String comm = text.substring(0, colon).strip();
        String[] words = text.substring(colon + 5).replace('(', ' ').replace(')', ' ').trim().split("\\s+");
        Long inode = null;
        Long size = null;
        int fd;
        try {
            fd = Integer.parseInt(words[0]);
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("st_ino")) {
                    inode = Long.parseLong(words[i + 1]);
                } else if (words[i].equals("st_size")) {
                    size = Long.parseLong(words[i + 1]);
                }
            }
        } catch (NumberFormatException e) {
            return;
        }
        if (inode != null) {
            byCommAndFd.put(comm + "\u0000" + fd, new FdFacts(inode, size));
        }
    }

    FdFacts take(String comm, int fd) {
        return comm == null ? null : byCommAndFd.remove(comm + "\u0000" + fd);
    }
}
