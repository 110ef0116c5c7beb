package io.dkv.core.ring;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * The consistent-hashing ring: which nodes hold each key.
 *
 * <p>The 64-bit key hash space is cut into equal partitions, each owned by one node (see
 * {@link OwnerSequence}). A key belongs to one partition; its preference list is the first
 * {@code replicas} distinct nodes met walking clockwise from that partition's owner. When a
 * node leaves (or is down), walking past it moves only the key replicas it held, each to
 * the next node clockwise: the minimum possible movement.
 *
 * <p>Immutable and thread-safe. Lookups allocate nothing.
 */
public final class Ring {

    /*
     * Why fixed partitions rather than random virtual-node tokens: with random tokens the
     * share of a node is a sum of random arc lengths, whose relative spread falls only as
     * 1/sqrt(tokens per node); meeting max/mean <= 1.05 over 100 nodes needs thousands of
     * tokens per node. Fixed equal partitions with a balanced owner sequence give every
     * node exactly the same share, so the only imbalance left is the sampling noise of the
     * keys themselves. Riak and Voldemort made the same choice. docs/ARCHITECTURE.md
     * records the measurement.
     */

    /** Default partitions per node: enough to spread a failed node's load over many stand-ins. */
    public static final int DEFAULT_PARTITIONS_PER_NODE = 64;

    /** The seed every node uses to build the same owner sequence. */
    public static final long DEFAULT_SEED = 0x6b76_7269_6e67L;

    private final NodeId[] nodes;
    private final int replicas;
    private final int partitionCount;
    private final int[] owners;
    private final List<NodeId>[] replicaLists;
    private final List<NodeId>[] extendedLists;
    private final int[] extendedScanLength;

    private Ring(NodeId[] nodes, int replicas, int partitionsPerNode, long seed) {
        this.nodes = nodes;
        this.replicas = replicas;
        this.partitionCount = nodes.length * partitionsPerNode;
        this.owners = OwnerSequence.build(nodes.length, partitionsPerNode, replicas, seed);
        this.replicaLists = newListArray(partitionCount);
        this.extendedLists = newListArray(partitionCount);
        this.extendedScanLength = new int[partitionCount];
        int extendedSize = Math.min(nodes.length, 2 * replicas);
        for (int partition = 0; partition < partitionCount; partition++) {
            precompute(partition, extendedSize);
        }
    }

    /**
     * Builds the ring for a fixed set of nodes.
     *
     * @param nodes             every node of the cluster, each once
     * @param replicas          how many distinct nodes hold each key (at most the node count)
     * @param partitionsPerNode how many partitions each node owns
     * @param seed              must be the same on every node of a cluster
     */
    public static Ring build(List<NodeId> nodes, int replicas, int partitionsPerNode, long seed) {
        if (nodes.isEmpty()) {
            throw new InvalidConfigException("nodes must not be empty");
        }
        if (replicas < 1) {
            throw new InvalidConfigException("replicas (" + replicas + ") must be at least 1");
        }
        if (replicas > nodes.size()) {
            throw new InvalidConfigException("replicas (" + replicas + ") must not exceed nodes (" + nodes.size() + ")");
        }
        if (partitionsPerNode < 1) {
            throw new InvalidConfigException("partitions per node (" + partitionsPerNode + ") must be at least 1");
        }
        if ((long) nodes.size() * partitionsPerNode > Integer.MAX_VALUE / 2) {
            throw new InvalidConfigException("nodes x partitions per node is too large: "
                    + nodes.size() + " x " + partitionsPerNode);
        }
        NodeId[] sorted = nodes.toArray(NodeId[]::new);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].equals(sorted[i - 1])) {
                throw new InvalidConfigException("node " + sorted[i] + " is listed twice");
            }
        }
        return new Ring(sorted, replicas, partitionsPerNode, seed);
    }

    /** A ring of nodes n1..nN with default partitioning. */
    public static Ring of(int nodeCount, int replicas) {
        return build(numberedNodes(nodeCount), replicas, DEFAULT_PARTITIONS_PER_NODE, DEFAULT_SEED);
    }

    /** The node ids n1..nN. */
    public static List<NodeId> numberedNodes(int nodeCount) {
        List<NodeId> ids = new ArrayList<>(nodeCount);
        for (int number = 1; number <= nodeCount; number++) {
            ids.add(NodeId.of(number));
        }
        return List.copyOf(ids);
    }

    public int partitionCount() {
        return partitionCount;
    }

    public int replicaCount() {
        return replicas;
    }

    public List<NodeId> nodes() {
        return List.of(nodes);
    }

    public int nodeCount() {
        return nodes.length;
    }

    public int partitionOf(byte[] key) {
        return partitionOfHash(KeyHash.of(key));
    }

    /** Maps a hash to its partition by its top 32 bits (Lemire's multiply-shift). */
    public int partitionOfHash(long hash) {
        return (int) (((hash >>> 32) * partitionCount) >>> 32);
    }

    public NodeId owner(int partition) {
        return nodes[owners[partition]];
    }

    /** The preference list: the {@code replicas} distinct nodes that hold the partition's keys. */
    public List<NodeId> replicas(int partition) {
        return replicaLists[partition];
    }

    public List<NodeId> replicasOf(byte[] key) {
        return replicaLists[partitionOf(key)];
    }

    /**
     * The first {@code replicas} nodes clockwise from the partition that {@code skip} does
     * not reject: where the partition's replicas go when the rejected nodes are gone.
     */
    public List<NodeId> replicasSkipping(int partition, Predicate<NodeId> skip) {
        List<NodeId> chosen = new ArrayList<>(replicas);
        Iterator<NodeId> walk = clockwise(partition);
        while (chosen.size() < replicas && walk.hasNext()) {
            NodeId node = walk.next();
            if (!skip.test(node)) {
                chosen.add(node);
            }
        }
        return chosen;
    }

    /**
     * Every node exactly once, in the order met walking clockwise from the partition: first
     * its replicas, then the nodes that stand in for them when they are down.
     */
    public Iterator<NodeId> clockwise(int partition) {
        return new ClockwiseWalk(partition);
    }

    /** Partitions whose preference list includes {@code node}, in ascending order. */
    public int[] partitionsReplicatedBy(NodeId node) {
        int[] found = new int[partitionCount];
        int count = 0;
        for (int partition = 0; partition < partitionCount; partition++) {
            List<NodeId> replicasOfPartition = replicaLists[partition];
            for (int i = 0; i < replicasOfPartition.size(); i++) {
                if (replicasOfPartition.get(i).number() == node.number()) {
                    found[count++] = partition;
                    break;
                }
            }
        }
        return Arrays.copyOf(found, count);
    }

    private void precompute(int partition, int size) {
        BitSet seen = new BitSet(nodes.length);
        NodeId[] found = new NodeId[size];
        int count = 0;
        int step = 0;
        while (count < size) {
            int owner = owners[(partition + step) % partitionCount];
            step++;
            if (!seen.get(owner)) {
                seen.set(owner);
                found[count++] = nodes[owner];
            }
        }
        extendedLists[partition] = List.of(found);
        replicaLists[partition] = List.of(Arrays.copyOf(found, replicas));
        extendedScanLength[partition] = step;
    }

    @SuppressWarnings("unchecked")
    private static List<NodeId>[] newListArray(int size) {
        return (List<NodeId>[]) new List[size];
    }

    /** Walks the precomputed prefix, then scans the ring for the remaining nodes. */
    private final class ClockwiseWalk implements Iterator<NodeId> {
        private final int partition;
        private final List<NodeId> prefix;
        private int returned;
        private BitSet seen;
        private int step;
        private NodeId next;

        ClockwiseWalk(int partition) {
            this.partition = partition;
            this.prefix = extendedLists[partition];
        }

        @Override
        public boolean hasNext() {
            if (returned < prefix.size() || next != null) {
                return true;
            }
            if (returned >= nodes.length) {
                return false;
            }
            if (seen == null) {
                seen = new BitSet(nodes.length);
                for (NodeId node : prefix) {
                    seen.set(indexOf(node));
                }
                step = extendedScanLength[partition];
            }
            while (step < partitionCount) {
                int owner = owners[(partition + step) % partitionCount];
                step++;
                if (!seen.get(owner)) {
                    seen.set(owner);
                    next = nodes[owner];
                    return true;
                }
            }
            return false;
        }

        @Override
        public NodeId next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            returned++;
            if (returned <= prefix.size()) {
                return prefix.get(returned - 1);
            }
            NodeId result = next;
            next = null;
            return result;
        }
    }

    private int indexOf(NodeId node) {
        int index = Arrays.binarySearch(nodes, node);
        if (index < 0) {
            throw new IllegalArgumentException(node + " is not on the ring");
        }
        return index;
    }

    /** Position of a node in the ring's sorted node list, or -1. */
    public int indexOfNode(NodeId node) {
        int index = Arrays.binarySearch(nodes, node);
        return index < 0 ? -1 : index;
    }
}
