package dev.faultline.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteLineReaderTest {

    /** A line handed over: the array it came in, and its text read during the call (the array is reused). */
    private record Handed(byte[] array, String text) {
    }

    private static List<Handed> read(InputStream in, int chunk) throws IOException {
        List<Handed> out = new ArrayList<>();
        ByteLineReader.read(in, (b, from, to) -> out.add(new Handed(b, new String(b, from, to - from, StandardCharsets.UTF_8))), chunk);
        return out;
    }

    @Test
    void terminatorsAndTheLastLine() throws IOException {
        List<Handed> lines = read(new ByteArrayInputStream("a\r\n\nb c\nlast".getBytes(StandardCharsets.UTF_8)), 64);
        assertThat(lines).extracting(Handed::text).containsExactly("a", "", "b c", "last");
        assertThat(read(new ByteArrayInputStream(new byte[0]), 64)).isEmpty();
        assertThat(read(new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8)), 64)).extracting(Handed::text)
                .containsExactly("x");
    }

    /**
     * Lines of random length (some longer than a chunk), read in random small pieces: every line comes out
     * whole and in order, and the reader keeps one array, grown only for lines longer than it (64 -> 128 -> 256).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 99, 2024})
    void linesCutByChunksAndShortReadsComeOutWholeFromOneArray(long seed) throws IOException {
        Random r = new Random(seed);
        List<String> expected = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            StringBuilder line = new StringBuilder();
            int n = r.nextInt(10) == 0 ? 40 + r.nextInt(200) : r.nextInt(30);
            for (int k = 0; k < n; k++) {
                line.append((char) ('a' + r.nextInt(26)));
            }
            expected.add(line.toString());
            text.append(line).append(r.nextBoolean() ? "\n" : "\r\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + r.nextInt(50)), bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        List<Handed> lines = read(trickle, 64);
        assertThat(lines).extracting(Handed::text).containsExactlyElementsOf(expected);
        Set<byte[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
        lines.forEach(h -> arrays.add(h.array()));
        assertThat(arrays).hasSizeLessThanOrEqualTo(3);
    }

    /** A receiver that takes lines by the array gets them in batches, in order, with the same bounds. */
    @Test
    void linesOfOneReadComeAsOneBatch() throws IOException {
        List<String> seen = new ArrayList<>();
        int[] batches = {0};
        LineSource.ByteLines batching = new LineSource.ByteLines() {
            @Override
            public void line(byte[] b, int from, int to) {
                seen.add(new String(b, from, to - from, StandardCharsets.UTF_8));
            }

            @Override
            public void lines(byte[] b, int[] starts, int[] ends, int n) {
                batches[0]++;
                for (int i = 0; i < n; i++) {
                    line(b, starts[i], ends[i]);
                }
            }
        };
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { // more lines than the reader's first bounds arrays hold
            expected.add("line " + i);
            text.append("line ").append(i).append(i % 2 == 0 ? "\n" : "\r\n");
        }
        ByteLineReader.read(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), batching, 1 << 16);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(batches[0]).isEqualTo(1);
    }

    /**
     * A line past the reader's limit (a file without newlines) is not read into memory: its start is
     * reported once as overlong, the rest skipped, and the lines after it read as usual; the array never
     * grows past the limit.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void anOverlongLineIsReportedOnceAndSkipped(int followers) throws IOException {
        int limit = 4096;
        StringBuilder text = new StringBuilder("first\n");
        text.append("x".repeat(limit * 5 + 17));
        for (int i = 0; i < followers; i++) {
            text.append("\nafter ").append(i);
        }
        List<String> lines = new ArrayList<>();
        List<String> overlong = new ArrayList<>();
        int[] largest = {0};
        LineSource.ByteLines sink = new LineSource.ByteLines() {
            @Override
            public void line(byte[] b, int from, int to) {
                largest[0] = Math.max(largest[0], b.length);
                lines.add(new String(b, from, to - from, StandardCharsets.UTF_8));
            }

            @Override
            public void overlong(byte[] b, int from, int to) {
                largest[0] = Math.max(largest[0], b.length);
                overlong.add(new String(b, from, to - from, StandardCharsets.UTF_8));
            }
        };
        ByteLineReader.read(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), sink, 64, limit);
        List<String> expected = new ArrayList<>(List.of("first"));
        for (int i = 0; i < followers; i++) {
            expected.add("after " + i);
        }
        assertThat(lines).containsExactlyElementsOf(expected);
        assertThat(overlong).singleElement().asString().hasSize(ByteLineReader.OVERLONG_SAMPLE).matches("x+");
        assertThat(largest[0]).isLessThanOrEqualTo(limit);
        // a last line without newline over the limit: reported, nothing else
        overlong.clear();
        lines.clear();
        ByteLineReader.read(new ByteArrayInputStream("y".repeat(limit * 3).getBytes(StandardCharsets.UTF_8)), sink, 64, limit);
        assertThat(lines).isEmpty();
        assertThat(overlong).hasSize(1);
    }
}
