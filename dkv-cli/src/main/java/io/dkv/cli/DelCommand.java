package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code dkv del KEY...}: deletes keys and prints how many had a value. */
@Command(name = "del", description = "Deletes the keys; prints how many had a value.")
final class DelCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Parameters(arity = "1..*", description = "The keys.")
    String[] keys;

    @Override
    public Integer call() {
        return call.run(client -> {
            String[] args = new String[keys.length + 1];
            args[0] = "DEL";
            System.arraycopy(keys, 0, args, 1, keys.length);
            Object reply = client.call(args);
            if (ClientCall.isError(reply)) {
                return ClientCall.failWith(reply);
            }
            ClientCall.println(System.out, String.valueOf(reply));
            return ClientCall.OK;
        });
    }
}
