package io.dkv.core.ring;

import io.dkv.core.NodeId;

import java.util.List;

/**
 * How evenly a ring spreads a sample of keys, computed from the number of sampled keys
 * that fell in each partition.
 *
 * @param maxOverMean    most key replicas on one node, over the mean
 * @param minOverMean    fewest key replicas on one node, over the mean
 * @param stddevOverMean standard deviation of key replicas per node, over the mean
 */
public record RingBalance(double maxOverMean, double minOverMean, double stddevOverMean) {

    public static RingBalance of(Ring ring, long[] keysPerPartition) {
        long[] perNode = new long[ring.nodeCount()];
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            for (NodeId node : ring.replicas(partition)) {
                perNode[ring.indexOfNode(node)] += keysPerPartition[partition];
            }
        }
        double mean = 0;
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long count : perNode) {
            mean += count;
            max = Math.max(max, count);
            min = Math.min(min, count);
        }
        mean /= perNode.length;
        double variance = 0;
        for (long count : perNode) {
            variance += (count - mean) * (count - mean);
        }
        variance /= perNode.length;
        return new RingBalance(max / mean, min / mean, Math.sqrt(variance) / mean);
    }

    /**
     * The fraction of key-replica placements that change when {@code lost} leaves and each
     * partition's replicas are chosen again walking past it. The ideal is 1/N: only the
     * replicas the lost node held move.
     */
    public static double movedOnLoss(Ring ring, long[] keysPerPartition, NodeId lost) {
        long moved = 0;
        long placements = 0;
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            List<NodeId> before = ring.replicas(partition);
            List<NodeId> after = ring.replicasSkipping(partition, lost::equals);
            long keys = keysPerPartition[partition];
            placements += keys * before.size();
            for (NodeId node : after) {
                if (!before.contains(node)) {
                    moved += keys;
                }
            }
        }
        return placements == 0 ? 0 : (double) moved / placements;
    }

    /**
     * The fraction of key-replica placements that change node from {@code before} to
     * {@code after}, rings of the same partition space: what a join, leave or replacement
     * moves. The ideal for a join to N + 1 nodes is 1/(N + 1), for a leave from N nodes 1/N.
     */
    public static double moved(Ring before, Ring after, long[] keysPerPartition) {
        if (before.partitionCount() != after.partitionCount()) {
            throw new IllegalArgumentException("rings of " + before.partitionCount() + " and "
                    + after.partitionCount() + " partitions cannot be compared");
        }
        long moved = 0;
        long placements = 0;
        for (int partition = 0; partition < before.partitionCount(); partition++) {
            List<NodeId> was = before.replicas(partition);
            long keys = keysPerPartition[partition];
            placements += keys * was.size();
            for (NodeId node : after.replicas(partition)) {
                if (!was.contains(node)) {
                    moved += keys;
                }
            }
        }
        return placements == 0 ? 0 : (double) moved / placements;
    }
}
