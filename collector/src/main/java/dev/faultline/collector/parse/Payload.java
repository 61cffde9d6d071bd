package dev.faultline.collector.parse;

import org.apache.avro.specific.SpecificRecord;

/**
 * What a line's or record's payload is: an event body the line carries whole, or what the resolver needs to make
 * events from (a syscall, a BPF helper line, a process exit, or a line understood and not forwarded).
 */
public sealed interface Payload permits Payload.Body, Decoded {

    /**
     * An event body of the event model (PageFault, Mmio, ...), complete but for the VM it belongs to. A parser
     * refills one Body for each line, as the reader refills its line bytes: it is valid until the next line is
     * decoded, so the resolver keeps the event, never the Body (one allocation per event fewer: 7 % of the parse
     * path measured).
     */
    final class Body implements Payload {
        private SpecificRecord event;

        Body() {
        }

        public SpecificRecord event() {
            return event;
        }

        Body of(SpecificRecord e) {
            this.event = e;
            return this;
        }
    }
}
