package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a C workload (src/test/c) printed about what it did: a line per fact, "name value" and then
 * "key value" pairs, e.g. {@code gmem_fd 6 inode 4242 size 0x200000}.
 */
final class Facts {
    private final Map<String, List<String>> lines = new LinkedHashMap<>();

    Facts(String out) {
        for (String line : out.split("\n")) {
            String[] w = line.trim().split(" ");
            if (w.length >= 2) {
                lines.put(w[0], Arrays.asList(w));
            }
        }
    }

    /** The value after the line's name: {@code value("pid")} of "pid 42" is "42". */
    String value(String name) {
        List<String> w = lines.get(name);
        assertThat(w).as("the workload printed no '%s' line; it printed %s", name, lines.keySet()).isNotNull();
        return w.get(1);
    }

    /** A key's value on a line: {@code field("gmem_fd", "inode")} of "gmem_fd 6 inode 4242". */
    String field(String name, String key) {
        List<String> w = lines.get(name);
        assertThat(w).as("the workload printed no '%s' line; it printed %s", name, lines.keySet()).isNotNull();
        for (int i = 2; i + 1 < w.size(); i += 2) {
            if (w.get(i).equals(key)) {
                return w.get(i + 1);
            }
        }
        throw new AssertionError("no " + key + " on the workload's line " + String.join(" ", w));
    }
}
