package dev.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What `faultline analyse` does when a thread nobody watches dies (Kafka Streams 4.3.1's state updater is one). */
class AnalyseCommandTest {

    private static List<Integer> die(Throwable cause) throws InterruptedException {
        List<Integer> halted = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            if (cause instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) cause;
        }, "state-updater-like");
        t.setUncaughtExceptionHandler(AnalyseCommand.dying(halted::add));
        t.start();
        t.join();
        return halted;
    }

    @Test
    void anErrorStopsTheProcessWithExit3() throws Exception {
        assertThat(die(new StackOverflowError("planted"))).containsExactly(3);
        assertThat(die(new LinkageError("planted"))).containsExactly(3);
    }

    @Test
    void anExceptionIsLoggedNotFatal() throws Exception {
        assertThat(die(new IllegalStateException("planted"))).isEmpty();
    }
}
