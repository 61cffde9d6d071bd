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
}
