package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code dkv put KEY VALUE}: stores a value. */
@Command(name = "put", description = "Stores VALUE under KEY.")
final class PutCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Parameters(index = "0", description = "The key.")
    String key;

    @Parameters(index = "1", description = "The value.")
    String value;

    @Override
    public Integer call() {
        return call.run(client -> {
            Object reply = client.call("SET", key, value);
            if (ClientCall.isError(reply)) {
                return ClientCall.failWith(reply);
            }
            ClientCall.println(System.out, "OK");
            return ClientCall.OK;
        });
    }
}
