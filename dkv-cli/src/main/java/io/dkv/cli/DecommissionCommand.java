package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code dkv decommission [-h H] [-p P]}: the node at H:P leaves the ring while it is up. */
@Command(name = "decommission", description = {"Takes the node at -h/-p out of the ring while it is up:",
        "its partitions are copied to the nodes that take them over. Waits until the change",
        "is finished; the node then holds nothing the cluster needs and may be stopped."})
final class DecommissionCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Option(names = "--wait-seconds", defaultValue = "3600", description = "Give up watching after this long (default ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Override
    public Integer call() {
        return call.run(client -> RingChangeWatch.run(client, System.out, waitSeconds, "DKV.DECOMMISSION"));
    }
}
