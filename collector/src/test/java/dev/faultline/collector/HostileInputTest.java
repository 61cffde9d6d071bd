package dev.faultline.collector;

import dev.faultline.collector.stats.CollectorStats;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.collector.publish.JsonlWriter;
import dev.faultline.events.MemslotSet;
import dev.faultline.events.Mmio;
import dev.faultline.events.TraceLoss;
import dev.faultline.events.VmCreated;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Lines no kernel prints but a fuzzer, a newer bpftrace or a broken disk might: each is counted with a
 * reason and skipped, and the lines after it are read as if it had not been there.
 */
class HostileInputTest {
    static final String P = "qemu-100   (  100) [000] ..... ";

    static String l(String ts, String rest) {
        return P + ts + ": " + rest;
    }

    static final String GOOD_SLOT = "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x200000 "
            + "uaddr 0x7f32a7447000 gmem_fd 6 gmem_offset 0x0 ret 0";

    /** A VM, then {@code bad}, then a memslot and an MMIO exit that must still be read. */
    static Replay around(String... bad) {
        List<String> lines = new ArrayList<>(List.of(
                l("1.1", "sys_ioctl(fd: 3, cmd: 0xae01, arg: 0x4)"), l("1.2", "sys_ioctl -> 0x5"),
                l("1.2", "faultline_create_vm: fd 3 type 4 ret 5"),
                l("1.3", "sys_ioctl(fd: 5, cmd: 0xc040aed4, arg: 0x7ffc0000)"), l("1.4", "sys_ioctl -> 0x6"),
                l("1.4", "faultline_create_guest_memfd: vmfd 5 size 0x200000 flags 0x3 ret 6 ino 0x5def")));
        lines.addAll(List.of(bad));
        lines.addAll(List.of(
                l("1.5", "sys_ioctl(fd: 5, cmd: 0x40a0ae49, arg: 0x7ffc0100)"), l("1.6", "sys_ioctl -> 0x0"),
                l("1.6", GOOD_SLOT),
                l("1.7", "kvm_mmio: mmio write len 4 gpa 0xfee00000 val 0x1")));
        return Replay.lines(lines.toArray(String[]::new));
    }

    static long skipped(Replay r, String prefix) {
        return r.stats.skipped().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * A helper line the resolver reads only when it applies the call: a misspelt or missing field, a NUL in
     * a key, a sign, "0x" without digits, hex past 64 bits. Each used to stop collect and check with
     * "faultline_set_memslot has no field 'uaddr'", naming no line.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "uadr 0x7f32a7447000 ",
        "",
        "ua\0ddr 0x7f32a7447000 ",
        "uaddr +5 ",
        "uaddr 0x ",
        "uaddr 0x1ffffffffffffffff ",
    })
    void aBadHelperLineIsCountedAndTheRestIsRead(String uaddr) {
        String slot = GOOD_SLOT.replace("uaddr 0x7f32a7447000 ", uaddr);
        Replay r = around(
                l("1.41", "sys_ioctl(fd: 5, cmd: 0x40a0ae49, arg: 0x7ffc0100)"), l("1.42", "sys_ioctl -> 0x0"),
                l("1.42", slot));
        assertThat(skipped(r, "bad-payload")).as(slot).isEqualTo(1);
        assertThat(r.stats.samples()).as("the sample names the line").hasValueSatisfying(
                new org.assertj.core.api.Condition<>(s -> s.startsWith("line 9: "), "line 9"));
        assertThat(r.bodies(MemslotSet.class)).as("the good slot after it").singleElement()
                .satisfies(m -> assertThat(m.getUserspaceAddr()).isEqualTo(0x7f32a7447000L));
        assertThat(r.bodies(Mmio.class)).hasSize(1);
    }

    /** Syscalls without the argument their handling reads. */
    @Test
    void syscallsWithoutTheirArgumentsAreCounted() {
        Replay r = around(
                l("1.41", "sys_ioctl(fd: 5, arg: 0x7ffc0100)"), l("1.42", "sys_ioctl -> 0x0"),
                l("1.43", "sys_fallocate(fd: 6, mode: 3)"), l("1.44", "sys_fallocate -> 0x0"),
                l("1.45", "sys_ioctl()"), l("1.46", "sys_ioctl -> 0x0"));
        assertThat(r.bodies(MemslotSet.class)).hasSize(1);
        assertThat(r.bodies(Mmio.class)).hasSize(1);
        assertThat(r.stats.skipped().values().stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(2);
    }

    /** Header numbers past their types are bad lines, never wrapped onto CPU -1, process 0 or a time before boot. */
    @Test
    void headerNumbersPastTheirRangeAreMalformedNotWrapped() {
        Replay r = around(
                "qemu-100   (  100) [4294967295] ..... 1.45: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
                "qemu-100   (4294967296) [000] ..... 1.45: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
                "qemu-99999999999999999999   (  100) [000] ..... 1.45: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
                P + "9223372037.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1",
                P + "99999999999999999999.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1");
        assertThat(r.stats.skipped()).containsEntry("malformed: cpu out of range", 1L)
                .containsEntry("malformed: tgid out of range", 1L).containsEntry("malformed: tid out of range", 1L)
                .containsEntry("malformed: timestamp out of range", 2L);
        assertThat(r.bodies(Mmio.class)).singleElement().satisfies(m -> assertThat(m.getGpa()).isEqualTo(0xfee00000L));
        assertThat(r.events).allSatisfy(e -> {
            assertThat(e.getHeader().getKernelTsNs()).isNotNegative();
            assertThat(e.getHeader().getCpu()).isNotNegative();
        });
        assertThat(r.bodies(VmCreated.class)).hasSize(1);
    }

    /** The largest time a long holds in ns still reads. */
    @Test
    void theLastRepresentableSecondReads() {
        Replay r = around(P + "9223372036.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1");
        assertThat(r.bodies(Mmio.class)).hasSize(2);
        assertThat(r.stats.skipped()).isEmpty();
    }

    /** A loss is reported whatever its numbers: an unknown CPU as -1, a count past a long as the largest one. */
    @Test
    void lossLinesWithHugeNumbersAreStillLosses() {
        Replay r = Replay.lines("CPU:4294967296 [LOST 5 EVENTS]", "CPU:1 [LOST 123456789012345678901234567890 EVENTS]",
                "CPU:2 [LOST 7 EVENTS]");
        assertThat(r.bodies(TraceLoss.class)).extracting(TraceLoss::getCpu, TraceLoss::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(-1, 5L),
                        org.assertj.core.groups.Tuple.tuple(1, Long.MAX_VALUE),
                        org.assertj.core.groups.Tuple.tuple(2, 7L));
    }

    /** A million made-up event names cost a bounded map and a summary of a few lines. */
    @Test
    void distinctUnknownEventNamesAreBounded() {
        int names = CollectorStats.MAX_NAMES * 3;
        String[] lines = new String[names];
        for (int i = 0; i < names; i++) {
            lines[i] = l("1." + i, "made_up_event_" + i + ": x 1");
        }
        Replay r = Replay.lines(lines);
        Map<String, Long> un = r.stats.unsupported();
        assertThat(un).hasSizeLessThanOrEqualTo(CollectorStats.MAX_NAMES + 1).containsKey(CollectorStats.OTHER_NAMES);
        assertThat(un.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(names);
        assertThat(r.stats.summary().lines().count()).isLessThan(40);
    }

    /** Terminal escapes in a bad line are printed as \xNN, never sent to the terminal raw. */
    @Test
    void controlBytesInSamplesAreEscaped() {
        Replay r = Replay.lines("\u001b]0;owned\u0007\u001b[2J not a trace line \u009b31m");
        String summary = r.stats.summary();
        assertThat(summary).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b")
                .contains("\\x1b]0;owned\\x07");
    }

    /** TraceLoss's own cpu is the header's: one "cpu" key per JSON line. */
    @Test
    void traceLossJsonNamesCpuOnce() {
        Replay r = Replay.lines("CPU:3 [LOST 9 EVENTS]");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonlWriter w = new JsonlWriter(out);
        r.events.forEach(w::accept);
        w.flush();
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json.split("\"cpu\"", -1)).as(json).hasSize(2);
        assertThat(json).contains("\"cpu\":3").contains("\"count\":9");
    }

    /** A failing output is no bad line: what the sink throws reaches the caller as it was thrown. */
    @Test
    void whatTheSinkThrowsStopsThePipeline() {
        CollectorStats stats = new CollectorStats();
        TracePipeline p = new TracePipeline(dev.faultline.collector.resolve.HostContext.replay("lab"),
                new dev.faultline.collector.publish.EventSink() {
                    @Override
                    public void accept(dev.faultline.events.Event e) {
                        throw new IllegalStateException("the broker said no");
                    }
                }, stats);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.accept(l("1.1", "faultline_create_vm: fd 3 type 4 ret 5")))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("the broker said no");
        assertThat(stats.skipped()).isEmpty();
    }
}
