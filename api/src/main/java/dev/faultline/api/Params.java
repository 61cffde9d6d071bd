package dev.faultline.api;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** Parses query parameters strictly: a bad value is a 400 naming the parameter, never an exception. */
final class Params {
    static final int MAX_VM_ID = 256;
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]{1,16}");
    private static final Pattern DEC = Pattern.compile("[0-9]{1,20}");
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,10}\\.[0-9]{1,9}");

    private Params() {
    }

    static String vm(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw ApiException.badRequest("parameter 'vm' is required (a VM id as listed by /api/vms)");
        }
        if (raw.length() > MAX_VM_ID) {
            throw ApiException.badRequest("parameter 'vm' is longer than " + MAX_VM_ID + " characters");
        }
        return raw;
    }

    /** A GFN: 0x-prefixed hex or decimal, unsigned 64-bit. */
    static long gfn(String name, String raw) {
        if (raw == null) {
            throw ApiException.badRequest("parameter '" + name + "' is required (a GFN, e.g. 0x200)");
        }
        try {
            if (HEX.matcher(raw).matches()) {
                return Long.parseUnsignedLong(raw.substring(2), 16);
            }
            if (DEC.matcher(raw).matches()) {
                return Long.parseUnsignedLong(raw);
            }
        } catch (NumberFormatException e) {
            // out of range: reported below
        }
        throw ApiException.badRequest("parameter '" + name + "' is not a 64-bit GFN (0x-hex or decimal): '" + clip(raw) + "'");
    }

    /** A trace time: nanoseconds, or seconds with a fraction as trace lines print it (100.000754). */
    static Long time(String name, String raw) {
        if (raw == null) {
            return null;
        }
        if (DEC.matcher(raw).matches() && raw.length() <= 18) {
            return Long.parseLong(raw);
        }
        if (SECONDS.matcher(raw).matches()) {
            return new BigDecimal(raw).movePointRight(9).longValueExact();
        }
        throw ApiException.badRequest("parameter '" + name + "' is not a time (nanoseconds, or seconds like 100.000754): '"
                + clip(raw) + "'");
    }

    /** A count in [1, max]; {@code max} when absent. */
    static int limit(String name, String raw, int max) {
        if (raw == null) {
            return max;
        }
        if (DEC.matcher(raw).matches() && raw.length() <= 9) {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= max) {
                return n;
            }
        }
        throw ApiException.badRequest("parameter '" + name + "' must be a number from 1 to " + max + ": '" + clip(raw) + "'");
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
