package dev.faultline.analyser.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.collector.source.simulate.SimulationConfig;
import dev.faultline.collector.source.simulate.Simulator;
import dev.faultline.collector.source.simulate.VmKind;
import dev.faultline.events.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyser's state format is a contract, as the events' schemas are: a changelog written by a release
 * is restored by every later one. Each kept release (src/test/resources/faultline/state/releases/N, never
 * edited) holds a simulated trace with every rule's violation injected, the number of its events the
 * release had processed, and every store entry it then held (as stored: key and value bytes). Today's
 * analyser must read every entry, and, restored from them, continue over the rest of the trace exactly as
 * one restored from today's own dump of the same events does.
 *
 * <p>Every build writes this release's fixture to {@code target/faultline-state-fixture}; a release that
 * changes a store's format copies it to releases/N once.
 */
class StateCompatibilityTest {
    static final Path RELEASES = Path.of("src/test/resources/faultline/state/releases");
    static final RuleSet RULES = RuleSet.load(Traces.RULES);

    static Stream<String> releases() throws IOException {
        try (Stream<Path> dirs = Files.list(RELEASES)) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void releasesAreKept() throws IOException {
        assertThat(releases()).isNotEmpty();
    }

    @ParameterizedTest(name = "release {0}")
    @MethodSource("releases")
    void everyStoredEntryOfAReleaseReads(String release) throws IOException {
        Fixture f = Fixture.read(RELEASES.resolve(release));
        assertThat(f.state().values().stream().mapToInt(List::size).sum()).as("entries kept").isPositive();
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            a.restore(f.state()); // every key and value through today's serdes
            f.state().forEach((store, entries) -> assertThat(a.storeEntries(store)).as(store).isEqualTo(entries.size()));
        }
    }

    /**
     * Restored from a release's entries, the analyser raises over the rest of the trace what one that never
     * stopped raises after the same point: so does one restored from today's own entries (state that lived
     * only in memory would show here).
     */
    @ParameterizedTest(name = "release {0}")
    @MethodSource("releases")
    void restoredFromAReleaseTheAnalyserContinuesAsIfItHadNeverStopped(String release) throws IOException {
        Fixture f = Fixture.read(RELEASES.resolve(release));
        List<Event> events = Traces.events(f.trace());
        List<Event> first = events.subList(0, f.processed());
        List<Event> rest = events.subList(f.processed(), events.size());

        List<Alert> neverStopped;
        Map<String, List<byte[][]>> ours;
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            first.forEach(a::process);
            ours = a.dump();
            a.takeAlerts(); // raised before the point of the restore
            rest.forEach(a::process);
            neverStopped = a.drainAlerts();
        }
        assertThat(neverStopped).as("the rest of the trace raises alerts").isNotEmpty();
        assertThat(continueFrom(ours, rest)).as("restored from today's entries").isEqualTo(neverStopped);
        assertThat(continueFrom(f.state(), rest)).as("restored from release " + release).isEqualTo(neverStopped);
    }

    private static List<Alert> continueFrom(Map<String, List<byte[][]>> state, List<Event> rest) {
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            a.restore(state);
            rest.forEach(a::process);
            return a.drainAlerts();
        }
    }

    /** This release's fixture, for the release that changes a format to keep; it must read back as written. */
    @Test
    void thisReleasesFixtureIsWritten() throws IOException {
        List<String> trace = new ArrayList<>();
        new Simulator(new SimulationConfig(31, 6, List.of(VmKind.values()), 1500, 0,
                new LinkedHashSet<>(RULES.rules().keySet().stream().filter(SimulationConfig::canInject).toList()), 40))
                .run(trace::add);
        List<Event> events = Traces.events(trace);
        int processed = events.size() * 2 / 3;
        Map<String, List<byte[][]>> state;
        try (OfflineAnalyser a = new OfflineAnalyser(RULES)) {
            events.subList(0, processed).forEach(a::process);
            state = a.dump();
        }
        Path out = Path.of("target/faultline-state-fixture");
        new Fixture(trace, processed, state).write(out);
        Fixture back = Fixture.read(out);
        assertThat(back.trace()).isEqualTo(trace);
        assertThat(back.processed()).isEqualTo(processed);
        assertThat(back.state().keySet()).isEqualTo(state.keySet());
        state.forEach((store, entries) -> assertThat(back.state().get(store)).as(store)
                .zipSatisfy(entries, (x, y) -> assertThat(x).isDeepEqualTo(y)));
    }

    /** A kept release: the trace, how many of its events were processed, the stores' entries then. */
    record Fixture(List<String> trace, int processed, Map<String, List<byte[][]>> state) {
        static Fixture read(Path dir) throws IOException {
            Map<String, List<byte[][]>> state = new LinkedHashMap<>();
            Base64.Decoder b64 = Base64.getDecoder();
            for (String line : Files.readAllLines(dir.resolve("stores.tsv"))) {
                String[] f = line.split("\t");
                state.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new byte[][] {b64.decode(f[1]), b64.decode(f[2])});
            }
            return new Fixture(Files.readAllLines(dir.resolve("trace.trace")),
                    Integer.parseInt(Files.readString(dir.resolve("processed")).strip()), state);
        }

        void write(Path dir) throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve("trace.trace"), trace);
            Files.writeString(dir.resolve("processed"), processed + "\n");
            StringBuilder tsv = new StringBuilder();
            Base64.Encoder b64 = Base64.getEncoder();
            state.forEach((store, entries) -> entries.forEach(kv -> tsv.append(store).append('\t')
                    .append(b64.encodeToString(kv[0])).append('\t').append(b64.encodeToString(kv[1])).append('\n')));
            Files.writeString(dir.resolve("stores.tsv"), tsv, StandardCharsets.UTF_8);
        }
    }
}
