package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dkv status}: the cluster as one node sees it. */
@Command(name = "status", description = {"Shows every node as the node at -h/-p sees it: state (up, suspect, down),",
        "phi, age of its last heartbeat, and its headline figures (ops/s, p99, keys, hints),",
        "plus the hints the asked node keeps for it."})
final class StatusCommand implements Callable<Integer> {

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
            System.out.flush();
            return ClientCall.OK;
        });
    }
}
