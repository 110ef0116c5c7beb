package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dkv status}: the cluster as one node sees it. */
@Command(name = "status", description = {"Shows every node as the node at -h/-p sees it: state (up, suspect, down,",
        "recovering), phi, age of its last heartbeat, and its headline figures (ops/s, p99, keys,",
        "hints), plus the hints the asked node keeps for it, and versions it refused for clock skew."})
final class StatusCommand implements Callable<Integer> {

    /** One line when the asked node has refused versions stamped too far ahead of its clock. */
    private static void printClockSkew(Object info) {
        if (!(info instanceof byte[] bytes)) {
            return;
        }
        String refusals = null;
        String writer = null;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\r\n")) {
            if (line.startsWith("clock_skew_refusals:")) {
                refusals = line.substring(line.indexOf(':') + 1);
            } else if (line.startsWith("clock_skew_last_writer:")) {
                writer = line.substring(line.indexOf(':') + 1);
            }
        }
        if (refusals != null && !refusals.equals("0")) {
            System.out.printf("clock skew: this node refused %s version(s) stamped too far ahead of its clock, the last"
                    + " from %s: check NTP on both%n", refusals, writer);
        }
    }

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Override
    public Integer call() {
        return call.run(client -> {
            Object reply = client.call("DKV.STATUS");
            if (ClientCall.isError(reply)) {
                return ClientCall.failWith(reply);
            }
            System.out.printf("cluster as seen from %s:%d%n", call.connection.host, call.connection.port);
            System.out.printf("%-6s %-8s %7s %10s %8s %8s %10s %7s %11s%n",
                    "node", "state", "phi", "heartbeat", "ops/s", "p99 ms", "keys", "hints", "hints here");
            for (Object row : (List<?>) reply) {
                List<?> fields = (List<?>) row;
                String[] f = new String[fields.size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = new String((byte[]) fields.get(i), StandardCharsets.UTF_8);
                }
                String heartbeat = f[3].equals("-1") ? "never" : f[3] + " ms";
                System.out.printf("%-6s %-8s %7s %10s %8s %8s %10s %7s %11s%n",
                        f[0], f[1], f[2], heartbeat, f[4], f[5], f[6], f[7], f[8]);
            }
            RingChangeWatch.printRing(System.out, client.call("DKV.RING"));
            printClockSkew(client.call("INFO", "dkv"));
            System.out.flush();
            return ClientCall.OK;
        });
    }
}
