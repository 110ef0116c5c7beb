package io.dkv.server.resp;

/**
 * Reads the expiry options of SET and GETEX the way Redis 7 does
 * ({@code parseExtendedStringArgumentsOrReply} and {@code getExpireMillisecondsOrReply} in
 * Redis's t_string.c), so that the same arguments give the same reply or error: options in
 * any case, the last of a repeated EX (or PX, ...) wins, conflicting ones are a syntax error.
 */
final class ExpiryArguments {

    /** How an expiry argument counts: relative or absolute, seconds or milliseconds. */
    enum Unit {
        EX(true, true), PX(true, false), EXAT(false, true), PXAT(false, false);

        final boolean relative;
        final boolean seconds;

        Unit(boolean relative, boolean seconds) {
            this.relative = relative;
            this.seconds = seconds;
        }
    }

    /**
     * What the options said.
     *
     * @param unit   the expiry option given, or {@code null}
     * @param expire its argument
     */
    record Options(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist, Unit unit, byte[] expire) {
    }

    /** An absolute expiry time, or the error to answer instead. */
    record Deadline(long atMillis, RespReply error) {
    }

    private ExpiryArguments() {
    }

    /**
     * Parses the options from argument {@code from} on; {@code null} means a syntax error.
     *
     * @param forSet SET accepts NX, XX, GET and KEEPTTL; GETEX accepts PERSIST instead
     */
    static Options parse(RespCommand command, int from, boolean forSet) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        boolean persist = false;
        Unit unit = null;
        byte[] expire = null;
        for (int i = from; i < command.argCount(); i++) {
            String option = command.keyword(i);
            boolean hasNext = i + 1 < command.argCount();
            if (option.equals("NX") && forSet && !xx) {
                nx = true;
            } else if (option.equals("XX") && forSet && !nx) {
                xx = true;
            } else if (option.equals("GET") && forSet) {
                get = true;
            } else if (option.equals("KEEPTTL") && forSet && !persist && unit == null) {
                keepTtl = true;
            } else if (option.equals("PERSIST") && !forSet && !keepTtl && unit == null) {
                persist = true;
            } else if (isUnit(option) && !keepTtl && !persist && (unit == null || unit.name().equals(option)) && hasNext) {
                unit = Unit.valueOf(option);
                expire = command.arg(++i);
            } else {
                return null;
            }
        }
        return new Options(nx, xx, get, keepTtl, persist, unit, expire);
    }

    private static boolean isUnit(String option) {
        return option.equals("EX") || option.equals("PX") || option.equals("EXAT") || option.equals("PXAT");
    }

    /**
     * The absolute time an expiry argument names, as Redis checks it: an integer, positive,
     * and not overflowing once converted and added to now.
     *
     * @param commandName lower case, as Redis names it in "invalid expire time in 'set' command"
     */
    static Deadline deadline(Unit unit, byte[] argument, long nowMillis, String commandName) {
        Long parsed = parseLong(argument);
        if (parsed == null) {
            return new Deadline(0, notAnInteger());
        }
        long millis = parsed;
        if (millis <= 0 || (unit.seconds && millis > Long.MAX_VALUE / 1000)) {
            return new Deadline(0, invalidExpireTime(commandName));
        }
        if (unit.seconds) {
            millis *= 1000;
        }
        if (unit.relative) {
            if (millis > Long.MAX_VALUE - nowMillis) {
                return new Deadline(0, invalidExpireTime(commandName));
            }
            millis += nowMillis;
        }
        return new Deadline(millis, null);
    }

    /** A Redis integer: optional minus sign, digits, no leading zeros or spaces, within 64 bits; else null. */
    static Long parseLong(byte[] argument) {
        String text = new String(argument, java.nio.charset.StandardCharsets.US_ASCII);
        if (!text.matches("0|-?[1-9][0-9]{0,18}")) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static RespReply notAnInteger() {
        return RespReply.error("ERR value is not an integer or out of range");
    }

    static RespReply invalidExpireTime(String commandName) {
        return RespReply.error("ERR invalid expire time in '" + commandName + "' command");
    }
}
