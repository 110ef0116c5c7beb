package io.dkv.server.acl;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Redis's protected-mode idea: a node that listens beyond the loopback interface while its
 * default user needs no password lets anyone who can reach it read and write everything.
 * dkv does not refuse such clients (a cluster across machines must be reachable); it warns
 * at start and reports {@code protected_mode_warning:1} in {@code INFO}.
 */
public final class ProtectedMode {

    private ProtectedMode() {
    }

    /** Whether a node on {@code host} with these users is open to the network. */
    public static boolean exposed(String host, Users users) {
        return !users.passwordRequired() && !loopback(host);
    }

    /** The warning to log at start, naming the address and the fix. */
    public static String warning(String host) {
        return "listening on " + host + ", beyond the loopback interface, and the default user needs no password:"
                + " anyone who can reach this port can read and write every key. Set requirepass (or users),"
                + " or listen on 127.0.0.1 (host)";
    }

    /** Whether {@code host} is a loopback address (unresolvable names are not). */
    public static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
