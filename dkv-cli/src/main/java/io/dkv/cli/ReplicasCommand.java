package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dkv replicas KEY}: one line per replica of the key,
 * {@code <node> <up|down> <version|missing|unreachable>}.
 */
@Command(name = "replicas", description = {"Lists KEY's replicas, one per line:",
        "<node> <up|down> <version|missing|unreachable>"})
final class ReplicasCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Option(names = {"-v", "--verbose"}, description = "Add a fourth column: value size, deleted, or why unreachable.")
    boolean verbose;

    @Parameters(index = "0", description = "The key.")
    String key;

    @Override
    public Integer call() {
        return call.run(client -> {
            Object reply = client.call("DKV.REPLICAS", key);
            if (ClientCall.isError(reply)) {
                return ClientCall.failWith(reply);
            }
            for (Object row : (List<?>) reply) {
                List<?> fields = (List<?>) row;
                StringBuilder line = new StringBuilder();
                int columns = verbose ? fields.size() : 3;
                for (int i = 0; i < columns; i++) {
                    String field = new String((byte[]) fields.get(i), StandardCharsets.UTF_8);
                    if (i > 0 && !field.isEmpty()) {
                        line.append(' ');
                    }
                    line.append(field);
                }
                System.out.println(line);
            }
            System.out.flush();
            return ClientCall.OK;
        });
    }
}
