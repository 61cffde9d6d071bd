package dev.faultline.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplaySourceTest {

    /** Text and bytes come from one splitter: the two forms agree on every line, endings and all. */
    @Test
    void textAndBytesFormsGiveTheSameLines(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.trace");
        Files.writeString(f, "# tracer: nop\r\n  q\u00e9-1 (1) [000] .... 1.5: kvm_fpu: load\n\nlast", StandardCharsets.UTF_8);
        ReplaySource source = new ReplaySource(f.toString());
        List<String> text = new ArrayList<>();
        source.run(text::add);
        List<String> bytes = new ArrayList<>();
        source.runBytes((b, from, to) -> bytes.add(new String(b, from, to - from, StandardCharsets.UTF_8)));
        assertThat(text).containsExactly("# tracer: nop", "  q\u00e9-1 (1) [000] .... 1.5: kvm_fpu: load", "", "last");
        assertThat(bytes).isEqualTo(text);
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> new ReplaySource("/nonexistent/x.trace").runBytes((b, from, to) -> { }))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/nonexistent/x.trace");
    }

    /** A directory is said to be one, not reported missing; a FIFO is read like stdin. */
    @Test
    void aDirectoryIsNamedAndAFifoIsRead(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new ReplaySource(dir.toString()).runBytes((b, from, to) -> { }))
                .isInstanceOf(IOException.class).isNotInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("is a directory");
        Path fifo = dir.resolve("trace.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "a\nb\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        List<String> lines = new ArrayList<>();
        new ReplaySource(fifo.toString()).run(lines::add);
        writer.join();
        assertThat(lines).containsExactly("a", "b");
    }
}
