package dev.faultline.collector.source.tracedat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.collector.Replay;
import dev.faultline.collector.source.ReplaySource;
import dev.faultline.events.Event;
import dev.faultline.events.TraceLoss;
import dev.faultline.collector.source.ring.EventFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * trace.dat files written here by the format's documents (TraceDatWriter): every version and compression, two
 * buffers, records merged across CPUs in time order, names from saved_cmdlines, lost-event flags as loss lines.
 * TraceDatIT reads the files trace-cmd itself writes of a real KVM workload.
 */
class TraceDatSourceTest {
    @TempDir
    Path dir;

    static EventFormat mmio() throws IOException {
        return EventFormat.parse("kvm", "kvm_mmio", Files.readString(Path.of("src/test/resources/faultline/formats/kvm_mmio.format")));
    }

    /** A kvm_mmio write by pid {@code pid} of {@code val} at gpa 0x1000. */
    static TraceDatWriter.Rec write(EventFormat f, long ts, int pid, long val) {
        ByteBuffer b = ByteBuffer.allocate(f.fields().values().stream().mapToInt(x -> x.offset() + x.size()).max().orElse(32))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(f.field("common_type").offset(), (short) f.id());
        b.putInt(f.field("common_pid").offset(), pid);
        f.field("type").put(b, 0, 2); // KVM_TRACE_MMIO_WRITE
        f.field("len").put(b, 0, 4);
        f.field("gpa").put(b, 0, 0x1000);
        f.field("val").put(b, 0, val);
        return new TraceDatWriter.Rec(ts, b.array());
    }


    /** Two CPUs interleaved in time, a second buffer (an instance), a page after lost events. */
    static TraceDatWriter twoBuffers() throws IOException {
        EventFormat f = mmio();
        String text = Files.readString(Path.of("src/test/resources/faultline/formats/kvm_mmio.format"));
        TraceDatWriter.Cpu cpu0 = new TraceDatWriter.Cpu(0, List.of(List.of(write(f, 1_000_000_000L, 700, 1),
                write(f, 1_000_000_300L, 700, 3))), null);
        TraceDatWriter.Cpu cpu1 = new TraceDatWriter.Cpu(1, List.of(List.of(write(f, 1_000_000_100L, 701, 2)),
                List.of(write(f, 1_000_000_400L, 701, 4))), new long[] {-1, 5});
        TraceDatWriter.Cpu vm0 = new TraceDatWriter.Cpu(0, List.of(List.of(write(f, 1_000_000_200L, 900, 9))), null);
        TraceDatWriter.Cpu vm1 = new TraceDatWriter.Cpu(1, List.of(), null);
        return new TraceDatWriter().format("kvm", text).cmdlines("700 qemu-system-x86\n701 CPU 0/KVM\n")
                .buffer(new TraceDatWriter.Buffer("", List.of(cpu0, cpu1)))
                .buffer(new TraceDatWriter.Buffer("vm1", List.of(vm0, vm1)));
    }

    static final List<String> EXPECTED = List.of(
            "qemu-system-x86-700 (-------) [000] ..... 1.000000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
            "CPU 0/KVM-701 (-------) [001] ..... 1.000000100: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x2",
            "<...>-900 (-------) [000] ..... 1.000000200: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x9",
            "qemu-system-x86-700 (-------) [000] ..... 1.000000300: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x3",
            "CPU:1 [LOST 5 EVENTS]",
            "CPU 0/KVM-701 (-------) [001] ..... 1.000000400: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x4");

    static Stream<Arguments> files() throws IOException {
        TraceDatWriter w = twoBuffers();
        return Stream.of(Arguments.of("v6", w.v6()), Arguments.of("v7 none", w.v7("none")),
                Arguments.of("v7 zlib", w.v7("zlib")), Arguments.of("v7 zstd", w.v7("zstd")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void everyVersionAndCompressionReadsTheSameLines(String kind, byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("t.dat"), bytes);
        assertThat(lines(f)).as(kind).isEqualTo(EXPECTED);
    }

    /**
     * The pipeline takes a trace.dat's records and losses as they are (no line printed and parsed back) and makes
     * what the same records' text makes.
     */
    @Test
    void recordsAndLossReachThePipelineAsTheirTextWould() throws IOException {
        Path f = Files.write(dir.resolve("t.dat"), twoBuffers().v7("zstd"));
        Replay records = Replay.file(f);
        Replay text = Replay.lines(EXPECTED.toArray(String[]::new));
        assertThat(records.ofType(TraceLoss.class)).singleElement()
                .satisfies(e -> assertThat(((TraceLoss) e.getBody()).getCount()).isEqualTo(5));
        assertThat(withoutWallTime(records.events)).hasSize(9).isEqualTo(withoutWallTime(text.events));
        assertThat(records.stats.summary()).isEqualTo(text.stats.summary());
    }

    private static List<Event> withoutWallTime(List<Event> events) {
        events.forEach(e -> e.getHeader().setWallTsMs(0L)); // when the collector read it: differs by run
        return events;
    }

    @Test
    void aCompressedTraceDatIsReadThroughReplay() throws IOException {
        Path f = Files.write(dir.resolve("t.dat.zst"), TraceDatWriter.compress("zstd", twoBuffers().v7("zlib")));
        List<String> out = new ArrayList<>();
        new ReplaySource(f.toString()).run(out::add);
        assertThat(out).isEqualTo(EXPECTED);
    }

    @Test
    void tscTimeStampsAreConvertedToNanoseconds() throws IOException {
        // ns = (ts * 3) >> 1, as trace-cmd computes it (its offset field is not added to event times)
        byte[] bytes = twoBuffers().tsc2nsec(3, 1, 1000).v7("none");
        List<String> out = lines(Files.write(dir.resolve("tsc.dat"), bytes));
        assertThat(out.get(0)).contains(" 1.500000000: ");
    }

    @Test
    void aFileThatIsNotOneItReadsIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("x.dat"), "hello");
        assertThatThrownBy(() -> lines(text)).hasMessageContaining("x.dat").hasMessageContaining("magic");
        byte[] v8 = twoBuffers().v7("none");
        v8[10] = '8';
        Path eight = Files.write(dir.resolve("v8.dat"), v8);
        assertThatThrownBy(() -> lines(eight)).hasMessageContaining("v8.dat").hasMessageContaining("version 8");
        byte[] full = twoBuffers().v7("zstd");
        Path cut = Files.write(dir.resolve("cut.dat"), Arrays.copyOf(full, full.length - 40));
        assertThatThrownBy(() -> lines(cut)).hasMessageContaining("cut.dat");
    }

    /** Hostile files end in an error naming the file, never a hang or a huge allocation. */
    @Test
    void hostileFilesAreRefusedNotFollowed() throws IOException {
        TraceDatWriter looping = twoBuffers();
        looping.loopOptions = true;
        Path loop = Files.write(dir.resolve("loop.dat"), looping.v7("zlib"));
        assertThatThrownBy(() -> lines(loop)).hasMessageContaining("loop.dat").hasMessageContaining("loop back");
        byte[] zeroPage = twoBuffers().v7("none");
        java.nio.ByteBuffer.wrap(zeroPage).order(ByteOrder.LITTLE_ENDIAN).putInt(14, 0); // the page size
        Path zero = Files.write(dir.resolve("zero.dat"), zeroPage);
        assertThatThrownBy(() -> lines(zero)).hasMessageContaining("zero.dat").hasMessageContaining("page size of 0");
        byte[] v6 = twoBuffers().v6();
        int headerPageSize = 14 + 4 + "header_page".length() + 1; // its size field, 8 bytes
        java.nio.ByteBuffer.wrap(v6).order(ByteOrder.LITTLE_ENDIAN).putLong(headerPageSize, 1L << 40);
        Path huge = Files.write(dir.resolve("huge.dat"), v6);
        assertThatThrownBy(() -> lines(huge)).hasMessageContaining("huge.dat").hasMessageContaining("bytes at offset");
    }

    private static List<String> lines(Path f) throws IOException {
        List<String> out = new ArrayList<>();
        new TraceDatSource(f).run(out::add);
        return out;
    }
}
