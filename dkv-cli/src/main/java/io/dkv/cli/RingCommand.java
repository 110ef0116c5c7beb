package io.dkv.cli;

import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.ring.RingBalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code dkv ring}: how evenly a ring of a given shape spreads random keys. Offline, no cluster. */
@Command(name = "ring", mixinStandardHelpOptions = true,
        description = {"Hashes random keys onto a ring of the given shape and reports its balance.",
                "Prints max/mean, min/mean and stddev/mean of key replicas per node, the fraction of",
                "placements that move when one node is down (ideal 1/N), when a node joins (ideal 1/(N+1))",
                "and when one leaves (ideal 1/N), and lookups per second."})
final class RingCommand implements Callable<Integer> {

    @Option(names = "--nodes", required = true, description = "Nodes in the ring (N).")
    int nodes;

    @Option(names = "--replicas", required = true, description = "Replicas per key (RF).")
    int replicas;

    @Option(names = "--keys", defaultValue = "1000000", description = "Random keys to place (default ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random keys (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitions", defaultValue = "" + Ring.DEFAULT_PARTITIONS,
            description = "Partitions of the hash space, fixed for a cluster's life (default ${DEFAULT-VALUE}).")
    int partitions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (keys < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--keys (" + keys + ") must be at least 1");
        }
        Ring ring = Ring.initial(Ring.numberedNodes(nodes), replicas, partitions, Ring.DEFAULT_SEED);
        long[] keysPerPartition = new long[ring.partitionCount()];
        byte[] key = "key:0000000000000000".getBytes(StandardCharsets.US_ASCII);
        SplittableRandom random = new SplittableRandom(seed);
        long placed = 0;
        long started = System.nanoTime();
        for (long i = 0; i < keys; i++) {
            writeHex(random.nextLong(), key, 4);
            int partition = ring.partitionOf(key);
            List<NodeId> preference = ring.replicas(partition);
            placed += preference.size();
            keysPerPartition[partition]++;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        RingBalance balance = RingBalance.of(ring, keysPerPartition);
        NodeId lost = ring.nodes().get(new SplittableRandom(seed).nextInt(nodes));
        double moved = RingBalance.movedOnLoss(ring, keysPerPartition, lost);
        NodeId joiner = NodeId.of(ring.nodes().get(nodes - 1).number() + 1);
        double movedOnJoin = RingBalance.moved(ring, ring.withJoined(joiner), keysPerPartition);

        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "max/mean: %.4f%n", balance.maxOverMean());
        out.printf(Locale.ROOT, "min/mean: %.4f%n", balance.minOverMean());
        out.printf(Locale.ROOT, "stddev/mean: %.4f%n", balance.stddevOverMean());
        out.printf(Locale.ROOT, "moved on node loss: %.5f (ideal %.5f)%n", moved, 1.0 / nodes);
        out.printf(Locale.ROOT, "moved on join: %.5f (ideal %.5f)%n", movedOnJoin, 1.0 / (nodes + 1));
        if (nodes > replicas) {
            double movedOnLeave = RingBalance.moved(ring, ring.withoutNode(lost), keysPerPartition);
            out.printf(Locale.ROOT, "moved on leave: %.5f (ideal %.5f)%n", movedOnLeave, 1.0 / nodes);
        } else {
            out.printf(Locale.ROOT, "moved on leave: - (N = RF: no node can leave)%n");
        }
        out.printf(Locale.ROOT, "lookups/s: %.0f%n", keys / seconds);
        out.flush();
        return placed == keys * (long) replicas ? 0 : 1;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static void writeHex(long value, byte[] into, int offset) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
