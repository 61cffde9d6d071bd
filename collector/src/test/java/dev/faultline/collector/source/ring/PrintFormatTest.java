package dev.faultline.collector.source.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.collector.parse.LineParser;
import dev.faultline.collector.parse.ParsedLine;
import dev.faultline.collector.parse.TraceLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Format files captured from this machine's kernel (6.18, test resources faultline/formats): records
 * built at their field offsets print exactly as the kernel's trace_pipe prints them in the real captures.
 */
class PrintFormatTest {

    static EventFormat format(String system, String name) throws IOException {
        try (InputStream in = PrintFormatTest.class.getResourceAsStream("/faultline/formats/" + name + ".format")) {
            return EventFormat.parse(system, name + ".format", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A record of {@code f} with the given field values at the format's offsets (strings as char arrays). */
    static ByteBuffer record(EventFormat f, Map<String, Object> values) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) f.id());
        values.forEach((name, v) -> {
            EventFormat.Field field = f.field(name);
            assertThat(field).as(name).isNotNull();
            if (v instanceof String s) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                b.put(field.offset(), bytes);
            } else {
                long x = ((Number) v).longValue();
                switch (field.size()) {
                    case 1 -> b.put(field.offset(), (byte) x);
                    case 2 -> b.putShort(field.offset(), (short) x);
                    case 4 -> b.putInt(field.offset(), (int) x);
                    default -> b.putLong(field.offset(), x);
                }
            }
        });
        return b;
    }

    private static String print(EventFormat f, Map<String, Object> values) {
        StringBuilder sb = new StringBuilder();
        PrintFormat.compile(f).render(new FormatExpr.Rec(record(f, values), 0, 256), sb);
        return sb.toString();
    }

    @Test
    void printsAsTheKernelDoesInTheRealCaptures() throws IOException {
        assertThat(print(format("kvm", "kvm_pio"), Map.of("rw", 1, "port", 0x3f8, "size", 1, "count", 1, "val", 0x41)))
                .isEqualTo("pio_write at 0x3f8 size 1 count 1 val 0x41 ");
        assertThat(print(format("kvm", "kvm_pio"), Map.of("rw", 0, "port", 0x60, "size", 2, "count", 3, "val", 0)))
                .isEqualTo("pio_read at 0x60 size 2 count 3 val 0x0 (...)");
        assertThat(print(format("kvm", "kvm_userspace_exit"), Map.of("reason", 2, "errno", 0)))
                .isEqualTo("reason KVM_EXIT_IO (2)");
        assertThat(print(format("kvm", "kvm_userspace_exit"), Map.of("reason", 2, "errno", -4)))
                .isEqualTo("reason restart (4)"); // the kernel prints -errno then
        assertThat(print(format("kvm", "kvm_mmio"), Map.of("type", 2, "len", 4, "gpa", 0xb8000, "val", 0x41)))
                .isEqualTo("mmio write len 4 gpa 0xb8000 val 0x41");
        assertThat(print(format("kvm", "kvm_mmio"), Map.of("type", 0, "len", 8, "gpa", 0xfee00000L, "val", 0)))
                .isEqualTo("mmio unsatisfied-read len 8 gpa 0xfee00000 val 0x0");
        assertThat(print(format("filemap", "mm_filemap_add_to_page_cache"),
                Map.of("s_dev", 16, "i_ino", 0x5def, "pfn", 0x118337, "index", 1, "order", 0)))
                .isEqualTo("dev 0:16 ino 5def pfn=0x118337 ofs=4096 order=0");
        assertThat(print(format("sched", "sched_process_exit"),
                Map.of("comm", "gmem", "pid", 10239, "prio", 120, "group_dead", 1)))
                .isEqualTo("comm=gmem pid=10239 prio=120 group_dead=true");
        assertThat(print(format("kvm", "kvm_page_fault"),
                Map.of("vcpu_id", 1, "guest_rip", 0xfff0, "fault_address", 0x200000, "error_code", 0x2000400000006L)))
                .isEqualTo("vcpu 1 rip 0xfff0 address 0x0000000000200000 error_code 0x2000400000006");
        assertThat(print(format("kvm", "kvm_unmap_hva_range"), Map.of("start", 0x7f0000000000L, "end", 0x7f0000001000L)))
                .isEqualTo("mmu notifier unmap range: 0x007f0000000000 -- 0x007f0000001000");
    }

    @Test
    void everyCapturedFormatCompiles() throws IOException {
        for (String[] e : List.of(new String[] {"kvm", "kvm_mmio"}, new String[] {"kvm", "kvm_pio"},
                new String[] {"kvm", "kvm_userspace_exit"}, new String[] {"kvm", "kvm_page_fault"},
                new String[] {"kvm", "kvm_unmap_hva_range"}, new String[] {"kvmmmu", "kvm_mmu_set_spte"},
                new String[] {"filemap", "mm_filemap_add_to_page_cache"}, new String[] {"sched", "sched_process_exit"})) {
            assertThat(PrintFormat.compile(format(e[0], e[1]))).as(e[1]).isNotNull();
        }
    }

    @Test
    void anUnsupportedConstructIsRefusedNamingTheEvent() {
        EventFormat f = new EventFormat("kvm", "odd", 7, Map.of(), "\"%s\", __get_bitmask(REC->buf)");
        assertThatThrownBy(() -> PrintFormat.compile(f)).hasMessageContaining("kvm/odd").hasMessageContaining("__get_bitmask");
        EventFormat g = new EventFormat("kvm", "odd", 7, Map.of(), "\"%d\", REC->nope");
        assertThatThrownBy(() -> PrintFormat.compile(g)).hasMessageContaining("no field nope");
    }

    @Test
    void castsTakeTheTypesWidthAndSign() {
        Map<String, EventFormat.Field> fields = Map.of("v", new EventFormat.Field("v", "u64", 8, 8, false));
        EventFormat f = new EventFormat("kvm", "casts", 7, fields,
                "\"%lld %lld %lld %lld %d\", (long)(int)REC->v, (long)(unsigned int)REC->v, (long)(short)REC->v, "
                        + "(long)(unsigned char)REC->v, (bool)REC->v");
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 0x1_ffff_ffffL);
        PrintFormat.compile(f).render(new FormatExpr.Rec(b, 0, 16), sb);
        assertThat(sb.toString()).isEqualTo("-1 4294967295 -1 255 1");
    }

    /** A source that knows no thread's names (as the raw reader with neither /proc nor tracefs). */
    static final ThreadNames UNKNOWN_THREADS = new ThreadNames() {
        @Override
        public Names of(int pid, long now) {
            return new Known("<...>", NO_TGID);
        }

        @Override
        public void exited(int pid) {
        }
    };

    @Test
    void anEventWhosePrintFormatCannotBeEvaluatedIsLeftOutNotFatal() throws IOException {
        EventFormat mmio = format("kvm", "kvm_mmio");
        EventFormat odd = new EventFormat("kvm", "odd", 7, mmio.fields(), "\"%s\", __get_bitmask(REC->gpa)");
        RecordReader r = new RecordReader(List.of(odd, mmio), UNKNOWN_THREADS);
        ByteBuffer oddRecord = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 7);
        assertThat(r.read(0, 1, oddRecord, 0, 32, 0)).isNull();
        RingRecord rec = r.read(0, 1, record(mmio, Map.of("type", 2, "len", 4, "gpa", 0x10, "val", 1)), 0, 32, 0);
        assertThat(rec.line()).endsWith("kvm_mmio: mmio write len 4 gpa 0x10 val 0x1");
    }

    @Test
    void recordsBecomeLinesTheParserReads() throws IOException {
        EventFormat enter = format("syscalls", "sys_enter_ioctl");
        EventFormat exit = format("syscalls", "sys_exit_ioctl");
        EventFormat mmio = format("kvm", "kvm_mmio");
        RecordReader r = new RecordReader(List.of(enter, exit, mmio), UNKNOWN_THREADS);

        RingRecord rec = r.read(3, 459_768_560_123L, record(enter, Map.of("common_pid", 10239, "fd", 5, "cmd", 0xae01,
                "arg", 0)), 0, 40, 0);
        ParsedLine p = new LineParser().parse(rec.line());
        assertThat(p).isInstanceOf(TraceLine.class);
        TraceLine t = (TraceLine) p;
        assertThat(t.tid()).isEqualTo(10239);
        assertThat(t.cpu()).isEqualTo(3);
        assertThat(t.tsNs()).isEqualTo(459_768_560_123L);
        assertThat(t.event()).isEqualTo("sys_ioctl");
        assertThat(t.kind()).isEqualTo(TraceLine.Kind.SYSCALL_ENTER);
        assertThat(t.payload()).isEqualTo("fd: 0x5, cmd: 0xae01, arg: 0x0");

        t = (TraceLine) new LineParser().parse(r.read(0, 1_000_000_001L, record(exit, Map.of("common_pid", 10239,
                "ret", -14)), 0, 24, 0).line());
        assertThat(t.kind()).isEqualTo(TraceLine.Kind.SYSCALL_EXIT);
        assertThat(t.payload()).isEqualTo("0xfffffffffffffff2");
        assertThat(t.tsNs()).isEqualTo(1_000_000_001L);

        t = (TraceLine) new LineParser().parse(r.read(1, 5, record(mmio, Map.of("common_pid", 42, "type", 1, "len", 4,
                "gpa", 0xb8004, "val", 7)), 0, 32, 0).line());
        assertThat(t.event()).isEqualTo("kvm_mmio");
        assertThat(t.payload()).isEqualTo("mmio read len 4 gpa 0xb8004 val 0x7");
        assertThat(t.comm()).isNull(); // a pid /proc does not know prints as <...>, as trace_pipe does

        ByteBuffer marker = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 9999);
        assertThat(r.read(0, 1, marker, 0, 16, 0)).as("an event not enabled").isNull();
    }
}
