package dev.faultline.analyser.rules;

import static dev.faultline.analyser.topology.Traces.alerts;
import static dev.faultline.analyser.topology.Traces.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.alerts.Priority;
import dev.faultline.analyser.topology.Traces;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GmemInvalidationOutsideBindingTest {

    /** SNP VM; gmem fd 6 (4 MiB, inode 0x77); slot 1 binds gmem [0, 2 MiB) at GPA 0x100000. */
    static List<String> bound() {
        List<String> l = new ArrayList<>();
        l.add(line(100, "1.1", "faultline_create_vm: fd 3 type 4 ret 5"));
        l.add(line(100, "1.2", "faultline_create_guest_memfd: vmfd 5 size 0x400000 flags 0x0 ret 6 ino 0x77"));
        l.add(line(100, "1.3", "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x200000 uaddr 0x7f0000000000 gmem_fd 6 gmem_offset 0x0 ret 0"));
        return l;
    }

    static List<Alert> punch(List<String> setup, String offset, String len) {
        List<String> l = new ArrayList<>(setup);
        l.add(line(100, "2.1", "sys_fallocate(fd: 6, mode: 3, offset: " + offset + ", len: " + len + ")"));
        l.add(line(100, "2.2", "sys_fallocate -> 0x0"));
        return alerts("gmem-invalidation-outside-binding", l.toArray(String[]::new));
    }

    @Test
    void firesWhenRangeRunsPastTheBinding() {
        List<Alert> a = punch(bound(), "0x100000", "0x200000");
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat(alert.getRule()).isEqualTo("gmem-invalidation-outside-binding");
            assertThat(alert.getPriority()).isEqualTo(Priority.ERROR);
            // docs/design.md §7: base_gfn + max(start, index) - index .. base_gfn + min(end - index, npages)
            assertThat(alert.getGfnStart()).isEqualTo(0x100L + 0x100);
            assertThat(alert.getGfnEnd()).isEqualTo(0x100L + 0x200 - 1);
            assertThat(alert.getMessage()).contains("run past binding slot 1");
            assertThat(alert.getEvidence()).singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("GmemInvalidation"));
        });
    }

    @Test
    void firesWhenUnaligned() {
        assertThat(punch(bound(), "0x1800", "0x1000")).singleElement()
                .satisfies(alert -> assertThat(alert.getMessage()).contains("unaligned"));
    }

    @Test
    void firesPastTheFileEnd() {
        assertThat(punch(bound(), "0x300000", "0x200000")).singleElement().satisfies(alert -> {
            assertThat(alert.getMessage()).contains("past the file's end 0x400000").contains("outside every binding");
            assertThat(alert.getGfnStart()).isNull();
        });
    }

    @Test
    void secondBindingAtAnOffsetClampsPerBinding() {
        List<String> setup = bound();
        setup.add(line(100, "1.4", "faultline_set_memslot: vmfd 5 slot 2 as 0 flags 0x4 gpa 0x10000000 size 0x100000 uaddr 0x7f1000000000 gmem_fd 6 gmem_offset 0x200000 ret 0"));
        // pages [0x180, 0x280): past slot 1's [0, 0x200) and before slot 2's [0x200, 0x300)
        List<Alert> a = punch(setup, "0x180000", "0x100000");
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat(alert.getMessage()).contains("slot 1").contains("slot 2");
            assertThat(alert.getGfnStart()).isEqualTo(0x100L + 0x180);
            assertThat(alert.getGfnEnd()).isEqualTo(0x100L + 0x200 - 1);
        });
        // the same range split at the binding edge is fine
        assertThat(punch(setup, "0x180000", "0x80000")).isEmpty();
        assertThat(punch(setup, "0x200000", "0x80000")).isEmpty();
    }

    @Test
    void quietInsideTheBinding() {
        assertThat(punch(bound(), "0x10000", "0x10000")).isEmpty();
        assertThat(punch(bound(), "0x0", "0x200000")).isEmpty();
        assertThat(punch(bound(), "0x1ff000", "0x1000")).isEmpty();
    }

    @Test
    void quietOnUnboundFile() {
        List<String> l = new ArrayList<>(bound().subList(0, 2));
        assertThat(punch(l, "0x0", "0x400000")).isEmpty();
    }

    @Test
    void quietAfterTheSlotIsDeleted() {
        List<String> setup = bound();
        setup.add(line(100, "1.5", "faultline_set_memslot: vmfd 5 slot 1 as 0 flags 0x4 gpa 0x100000 size 0x0 uaddr 0x7f0000000000 gmem_fd 6 gmem_offset 0x0 ret 0"));
        assertThat(punch(setup, "0x100000", "0x200000")).isEmpty();
    }

    @Test
    void allocationIsNotAnInvalidation() {
        List<String> l = bound();
        l.add(line(100, "2.1", "sys_fallocate(fd: 6, mode: 1, offset: 0x300000, len: 0x200000)"));
        l.add(line(100, "2.2", "sys_fallocate -> 0x0"));
        assertThat(alerts("gmem-invalidation-outside-binding", l.toArray(String[]::new))).isEmpty();
    }

    /** The real capture: binds, runs, punches inside the binding; no violation. */
    @Test
    void realCaptureRaisesNothing() throws IOException {
        Path shared = Path.of(System.getProperty("shared.dir", "../../shared"));
        assertThat(Traces.alerts(shared.resolve("fixtures/real/gmem_create_bind_punch.trace"))).isEmpty();
    }
}
