package dev.faultline.collector.source.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.source.SourceThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A stop always ends the text reader, even when the kernel refuses the stop marker (here: tracing
 * switched off in the instance, as a full buffer in drop mode also refuses it): the blocked read of
 * trace_pipe is interrupted after the give-up time and the instance is still removed. Needs root and tracefs.
 */
class TracefsTextSourceStopTest {

    @Test
    void aRefusedStopMarkerStillEndsTheReader() throws Exception {
        KernelFeatures.requireRootAndTracefs();
        TracefsTextSource source = new TracefsTextSource(KernelFeatures.TRACEFS, List.of("kvm/kvm_pio"), 64);
        source.stopGiveUpMillis = 1_000;
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = SourceThread.start(source, lines::add);
        assertThat(source.awaitStarted(10_000)).isTrue();
        Path instance = source.session().tracePipe().getParent();
        Files.writeString(instance.resolve("tracing_on"), "0");

        source.stop();
        t.join(15_000);

        assertThat(t.isAlive()).as("the reader ended although its stop marker was refused; it is at %s", java.util.Arrays.toString(t.getStackTrace()))
                .isFalse();
        assertThat(Files.exists(instance)).as("instance %s removed", instance).isFalse();
        assertThat(lines).as("no stop marker handed on").noneMatch(l -> l.contains("faultline-stop-"));
    }
}
