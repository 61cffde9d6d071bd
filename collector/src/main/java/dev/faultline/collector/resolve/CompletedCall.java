package dev.faultline.collector.resolve;

import dev.faultline.collector.parse.Decoded;
import dev.faultline.collector.parse.TraceLine;

/** A KVM ioctl that returned (or that a helper line alone describes), with the helper's description when it has one. */
record CompletedCall(KvmIoctl ioctl, TraceLine line, VmProcess process, long fd, long arg, long ret,
                     Decoded.HelperCall helper) {
    CompletedCall withHelper(Decoded.HelperCall h) {
        return new CompletedCall(ioctl, line, process, fd, arg, ret, h);
    }

    CompletedCall withLine(TraceLine l) {
        return new CompletedCall(ioctl, l, process, fd, arg, ret, helper);
    }
}
