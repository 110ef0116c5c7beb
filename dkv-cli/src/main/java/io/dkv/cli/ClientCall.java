package io.dkv.cli;

import io.dkv.cli.client.RespClient;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;

/**
 * What every one-request client command shares: the connection options, an optional
 * consistency level, and the exit codes (0 done, 1 nothing there, 2 failed).
 */
final class ClientCall {

    static final int OK = 0;
    static final int MISSING = 1;
    static final int FAILED = 2;

    @picocli.CommandLine.Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = {"-c", "--consistency"}, description = "ONE, QUORUM or ALL (default: the cluster's setting).")
    String consistency;

    @FunctionalInterface
    interface Body {
        int run(RespClient client) throws IOException;
    }

    int run(Body body) {
        try (RespClient client = connection.connect()) {
            if (consistency != null) {
                Object reply = client.call("DKV.CONSISTENCY", consistency);
                if (reply instanceof RespClient.ErrorReply error) {
                    return fail(error.message());
                }
            }
            return body.run(client);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
    }

    /** Prints an error reply's text to stderr and returns the failure exit code. */
    static int fail(String message) {
        System.err.println("error: " + message);
        return FAILED;
    }

    static boolean isError(Object reply) {
        return reply instanceof RespClient.ErrorReply;
    }

    static int failWith(Object reply) {
        return fail(((RespClient.ErrorReply) reply).message());
    }

    static void println(PrintStream out, String text) {
        out.println(text);
        out.flush();
    }
}
