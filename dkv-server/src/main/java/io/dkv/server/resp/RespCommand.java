package io.dkv.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client command as decoded: its arguments, the first being the command name.
 *
 * @param args      the arguments, byte-exact
 * @param rejection when not {@code null}, the command was too large to accept and this says
 *                  why; its oversized arguments were skipped, not stored
 */
public record RespCommand(byte[][] args, String rejection) {

    public static RespCommand of(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new RespCommand(bytes, null);
    }

    /** The command name in upper case. */
    public String name() {
        byte[] name = args[0];
        for (byte b : name) {
            if (b >= 'a' && b <= 'z' || b < 0) {
                return new String(name, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            }
        }
        // Already upper case ASCII, as most clients send it: no case conversion needed.
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    public int argCount() {
        return args.length;
    }

    public byte[] arg(int index) {
        return args[index];
    }

    public String argString(int index) {
        return new String(args[index], StandardCharsets.UTF_8);
    }

    /** Argument {@code index} in upper case, for matching keywords like {@code EX} or {@code READ}. */
    public String keyword(int index) {
        return argString(index).toUpperCase(Locale.ROOT);
    }
}
