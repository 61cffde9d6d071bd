package dev.faultline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API answers in its own types and the query package's (VmFacts, VmReader, GfnRange), never the
 * analyser's store classes: a change to how state is stored must not change an answer unnoticed.
 */
class ApiBoundaryTest {
    @Test
    void noApiSourceImportsTheStateClasses() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offending = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("dev.faultline.analyser.state.");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
        }
        assertThat(offending).as("api sources that reach into analyser.state").isEmpty();
    }

    /** A VM summary's memslots and gmem files keep the fields they had as the store's classes (docs/api.md). */
    @Test
    void summaryFieldsAreTheDocumentedOnes() {
        var slot = new dev.faultline.analyser.query.VmFacts.MemslotFacts(0, 1, 4, 0x100000, 0x200000, 0x7f0000000000L, 6, 0x77L, 0);
        var gmem = new dev.faultline.analyser.query.VmFacts.GmemFileFacts(6, 0x77L, 0x200000L, 3L);
        var summary = new VmJson.VmSummary("vm", "SEV_SNP", "h", false, false, true, 1, 2, List.of(slot), List.of(gmem),
                java.util.Map.of(), 0, Long.MIN_VALUE);
        var json = Json.MAPPER.valueToTree(summary);
        assertThat(json.get("memslots").get(0).fieldNames()).toIterable().containsExactly("addressSpace", "slot", "flags",
                "gpa", "size", "userspaceAddr", "gmemFd", "gmemInode", "gmemOffset");
        assertThat(json.get("gmem").get(0).fieldNames()).toIterable().containsExactly("fd", "inode", "size", "flags");
    }
}
