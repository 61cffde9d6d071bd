package dev.faultline.collector.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.events.EventSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The wall clock stamped on events: read again once the trace moves on by 1 ms, goes back, or after 16 events. */
class HostContextClockTest {

    /** A clock that moves 5 ms each time it is read, so every read shows. */
    private static final class Stepping extends Clock {
        long millis = 1_000;
        int reads;

        @Override
        public long millis() {
            reads++;
            return millis += 5;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void eventsWithinAMillisecondOfTraceTimeShareOneRead() {
        Stepping clock = new Stepping();
        HostContext host = new HostContext("h", EventSource.REPLAY, clock, 47, 1);
        long first = host.wallMillis(10_000_000L);
        assertThat(host.wallMillis(10_400_000L)).isEqualTo(first);
        assertThat(host.wallMillis(10_999_999L)).isEqualTo(first);
        assertThat(clock.reads).isEqualTo(1);

        assertThat(host.wallMillis(11_000_000L)).as("1 ms of trace later").isEqualTo(first + 5);
        assertThat(host.wallMillis(10_500_000L)).as("trace time went back (another CPU, a new trace)").isEqualTo(first + 10);
        assertThat(clock.reads).isEqualTo(3);
    }

    @Test
    void aBurstReadsTheClockAgainAfterSixteenEvents() {
        Stepping clock = new Stepping();
        HostContext host = new HostContext("h", EventSource.REPLAY, clock, 47, 1);
        long first = host.wallMillis(5_000_000L);
        for (int i = 1; i < HostContext.EVENTS_PER_CLOCK_READ; i++) {
            assertThat(host.wallMillis(5_000_000L + i)).isEqualTo(first);
        }
        assertThat(host.wallMillis(5_000_100L)).isEqualTo(first + 5);
        assertThat(clock.reads).isEqualTo(2);
    }
}
