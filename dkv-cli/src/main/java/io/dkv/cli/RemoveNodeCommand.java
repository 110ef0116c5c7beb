package io.dkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code dkv removenode NODE [-h H] [-p P]}: a node that is gone for good leaves the ring. */
@Command(name = "removenode", description = {"Takes NODE, which is down for good, out of the ring: the node at",
        "-h/-p has its partitions copied from the surviving replicas to the nodes that take them",
        "over. Refused while NODE is up (decommission it instead). Waits until the change is finished."})
final class RemoveNodeCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ClientCall call = new ClientCall();

    @Option(names = "--wait-seconds", defaultValue = "3600", description = "Give up watching after this long (default ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Parameters(index = "0", description = "The node to remove, e.g. n3.")
    String node;

    @Override
    public Integer call() {
        return call.run(client -> RingChangeWatch.run(client, System.out, waitSeconds, "DKV.REMOVENODE", node));
    }
}
