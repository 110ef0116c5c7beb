package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code dkv get KEY}: writes the value's raw bytes to stdout and exits 0; for a missing key
 * writes nothing to stdout, {@code (nil)} to stderr, and exits 1.
 */
@Command(name = "get", description = {"Writes KEY's value to stdout (exit 0).",
        "A missing key prints (nil) to stderr and exits 1."})
final class GetCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Parameters(index = "0", description = "The key.")
    String key;

    @Override
    public Integer call() {
        return call.run(client -> {
            Object reply = client.call("GET", key);
            if (ClientCall.isError(reply)) {
                return ClientCall.failWith(reply);
            }
            if (reply == null) {
                System.err.println("(nil)");
                return ClientCall.MISSING;
            }
            System.out.write((byte[]) reply);
            if (System.console() != null) {
                System.out.println();
            }
            System.out.flush();
            return ClientCall.OK;
        });
    }
}
