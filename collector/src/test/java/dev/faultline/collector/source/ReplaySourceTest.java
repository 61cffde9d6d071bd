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
}
