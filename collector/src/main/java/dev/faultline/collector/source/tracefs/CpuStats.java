package dev.faultline.collector.source.tracefs;

import dev.faultline.collector.loss.LossSink;
import dev.faultline.collector.source.LineSource;
import dev.faultline.events.LossReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The ring buffer's own loss counters (per_cpu/cpuN/stats: "overrun" events overwritten before they
 * were read, "dropped events" not written at all), turned into deltas since the last look, so every
 * loss is reported once.
 */
public final class CpuStats {

    private final Path perCpu;
    private final Map<String, Long> last = new HashMap<>();

    public CpuStats(Path instance) {
        this.perCpu = instance.resolve("per_cpu");
    }

    /** Reports what was lost since the last call (the first call only takes a baseline). */
    public void report(LossSink sink, boolean baseline) throws IOException {
        try (var cpus = Files.list(perCpu)) {
            for (Path dir : cpus.toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith("cpu")) {
                    continue;
                }
                int cpu = Integer.parseInt(name.substring(3));
                for (String line : Files.readAllLines(dir.resolve("stats"))) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).strip();
                    LossReason reason = key.equals("overrun") ? LossReason.OVERRUN
                            : key.equals("dropped events") ? LossReason.DROPPED : null;
                    if (reason == null) {
                        continue;
                    }
                    long now = Long.parseLong(line.substring(colon + 1).strip());
                    Long before = last.put(cpu + key, now);
                    if (!baseline && before != null && now > before) {
                        sink.loss(cpu, now - before, reason);
                    }
                }
            }
        }
    }
}
