package io.dkv.core.ring;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The placement of a cluster: which nodes hold each key.
 *
 * <p>The 64-bit key hash space is cut into a fixed number of equal partitions, chosen when
 * the cluster is created and never changed (the on-disk key layout and every node's routing
 * rely on it). A key belongs to one partition; the placement lists, for every partition, its
 * {@code replicas} distinct nodes. The placement changes one step at a time, each step a new
 * ring with the next {@link #epoch()}: {@link #withJoined}, {@link #withoutNode},
 * {@link #withReplaced}. Each step keeps replica load per node within one placement of the
 * mean and moves only what it must (see {@link Placements}).
 *
 * <p>Immutable and thread-safe. Lookups allocate nothing.
 */
public final class Ring {

    /*
     * Why a fixed partition space with an explicit placement, rather than random virtual-node
     * tokens or partitions derived from the node count: with random tokens a node's share is
     * a sum of random arc lengths, whose relative spread falls only as 1/sqrt(tokens per
     * node); meeting max/mean <= 1.05 over 100 nodes needs thousands of tokens per node.
     * With a partition count derived from N (N x partitions-per-node) a new node changes
     * every partition boundary, so almost every key moves. A fixed partition space keeps key
     * -> partition stable for the cluster's life, and an explicit partition -> replicas table
     * lets a join or leave move whole placements, exactly as many as balance needs (Riak's
     * ring, Voldemort's partitions, Redis Cluster's 16,384 slots). docs/ARCHITECTURE.md
     * records the measurements.
     */

    /** Default partition count: 12+ placements per node at 1,000 nodes with RF 3. */
    public static final int DEFAULT_PARTITIONS = 4096;

    /** Largest partition count accepted: the placement is a table of partitions x replicas. */
    public static final int MAX_PARTITIONS = 1 << 20;

    /** The seed every node uses to build the same initial placement. */
    public static final long DEFAULT_SEED = 0x6b76_7269_6e67L;

    private final long epoch;
    private final NodeId[] nodes;
    private final int replicas;
    private final int partitionCount;
    private final int[] placement;
    private final List<NodeId>[] replicaLists;
    private final List<NodeId>[] extendedLists;
    private final int[] extendedScanLength;

    /** Takes ownership of the arrays: {@code nodes} sorted and distinct, {@code placement} valid. */
    private Ring(long epoch, NodeId[] nodes, int replicas, int[] placement) {
        this.epoch = epoch;
        this.nodes = nodes;
        this.replicas = replicas;
        this.partitionCount = placement.length / replicas;
        this.placement = placement;
        this.replicaLists = newListArray(partitionCount);
        this.extendedLists = newListArray(partitionCount);
        this.extendedScanLength = new int[partitionCount];
        int extendedSize = Math.min(nodes.length, 2 * replicas);
        for (int partition = 0; partition < partitionCount; partition++) {
            precompute(partition, extendedSize);
        }
    }

    /**
     * The first placement of a new cluster (epoch 1): every node holds the floor or the ceiling
     * of {@code partitions x replicas / nodes} placements, and the replica sets of different
     * partitions differ, so a down node's partitions fall to many stand-ins.
     *
     * @param nodes      every node of the cluster, each once, in any order
     * @param replicas   how many distinct nodes hold each key (at most the node count)
     * @param partitions how many partitions the hash space has, for the cluster's life
     * @param seed       must be the same on every node of a cluster
     */
    public static Ring initial(List<NodeId> nodes, int replicas, int partitions, long seed) {
        NodeId[] sorted = checkedNodes(nodes, replicas);
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new InvalidConfigException("partitions (" + partitions + ") must be between 1 and " + MAX_PARTITIONS);
        }
        int[] placement = Placements.initial(sorted.length, replicas, partitions, new SplittableRandom(seed));
        return new Ring(1, sorted, replicas, placement);
    }

    /** A ring of nodes n1..nN with the default partition count and seed. */
    public static Ring of(int nodeCount, int replicas) {
        return initial(numberedNodes(nodeCount), replicas, DEFAULT_PARTITIONS, DEFAULT_SEED);
    }

    /**
     * A ring from its parts, as {@link #replicaNumbers(int)} and {@link #nodes()} give them
     * back: how a placement travels between nodes.
     *
     * @param epoch          at least 1
     * @param nodes          every node of the cluster, each once (some may hold nothing)
     * @param replicas       replicas per partition
     * @param replicaNumbers for each partition, the {@link NodeId#number()}s of its replicas in
     *                       order (the first is the owner); each row {@code replicas} distinct
     *                       listed nodes
     */
    public static Ring of(long epoch, List<NodeId> nodes, int replicas, int[][] replicaNumbers) {
        if (epoch < 1) {
            throw new InvalidConfigException("epoch (" + epoch + ") must be at least 1");
        }
        NodeId[] sorted = checkedNodes(nodes, replicas);
        if (replicaNumbers.length < 1 || replicaNumbers.length > MAX_PARTITIONS) {
            throw new InvalidConfigException("partitions (" + replicaNumbers.length + ") must be between 1 and "
                    + MAX_PARTITIONS);
        }
        int[] placement = new int[replicaNumbers.length * replicas];
        for (int partition = 0; partition < replicaNumbers.length; partition++) {
            int[] row = replicaNumbers[partition];
            if (row.length != replicas) {
                throw new InvalidConfigException("partition " + partition + " lists " + row.length
                        + " replicas, expected " + replicas);
            }
            int base = partition * replicas;
            for (int i = 0; i < replicas; i++) {
                int index = row[i] < 1 ? -1 : Arrays.binarySearch(sorted, NodeId.of(row[i]));
                if (index < 0) {
                    throw new InvalidConfigException("partition " + partition + " names n" + row[i]
                            + ", which is not a node of the ring");
                }
                if (Placements.contains(placement, base, base + i, index)) {
                    throw new InvalidConfigException("partition " + partition + " lists n" + row[i] + " twice");
                }
                placement[base + i] = index;
            }
        }
        return new Ring(epoch, sorted, replicas, placement);
    }

    /** The node ids n1..nN. */
    public static List<NodeId> numberedNodes(int nodeCount) {
        List<NodeId> ids = new ArrayList<>(nodeCount);
        for (int number = 1; number <= nodeCount; number++) {
            ids.add(NodeId.of(number));
        }
        return List.copyOf(ids);
    }

    /**
     * The next placement after {@code node} joins: it takes placements one at a time from the
     * most-loaded nodes until it holds its fair share; nothing else moves.
     */
    public Ring withJoined(NodeId node) {
        int at = Arrays.binarySearch(nodes, node);
        if (at >= 0) {
            throw new InvalidConfigException(node + " is already a node of the ring");
        }
        int inserted = -at - 1;
        NodeId[] grown = new NodeId[nodes.length + 1];
        System.arraycopy(nodes, 0, grown, 0, inserted);
        grown[inserted] = node;
        System.arraycopy(nodes, inserted, grown, inserted + 1, nodes.length - inserted);
        int[] newIndex = new int[nodes.length];
        Arrays.setAll(newIndex, i -> i < inserted ? i : i + 1);
        int[] renumbered = Placements.renumbered(placement, newIndex);
        int[] joined = Placements.join(renumbered, grown.length, replicas, inserted, randomFor(node));
        return new Ring(epoch + 1, grown, replicas, joined);
    }

    /**
     * The next placement after {@code node} leaves or is removed: each partition it held gets
     * the least-loaded node not already among its replicas; nothing else moves.
     *
     * @throws InvalidConfigException when the node is not on the ring, or fewer than
     *                                {@link #replicaCount()} nodes would remain
     */
    public Ring withoutNode(NodeId node) {
        int leaver = indexOfNode(node);
        if (leaver < 0) {
            throw new InvalidConfigException(node + " is not a node of the ring");
        }
        if (nodes.length - 1 < replicas) {
            throw new InvalidConfigException("cannot remove " + node + ": " + (nodes.length - 1)
                    + " nodes would remain, fewer than replicas (" + replicas + ")");
        }
        int[] left = Placements.leave(placement, nodes.length, replicas, leaver, randomFor(node));
        NodeId[] shrunk = new NodeId[nodes.length - 1];
        System.arraycopy(nodes, 0, shrunk, 0, leaver);
        System.arraycopy(nodes, leaver + 1, shrunk, leaver, nodes.length - leaver - 1);
        int[] newIndex = new int[nodes.length];
        Arrays.setAll(newIndex, i -> i < leaver ? i : i - 1);
        return new Ring(epoch + 1, shrunk, replicas, Placements.renumbered(left, newIndex));
    }

    /** The next placement after {@code replacement}, a new node, takes over exactly {@code old}'s placements. */
    public Ring withReplaced(NodeId old, NodeId replacement) {
        int leaver = indexOfNode(old);
        if (leaver < 0) {
            throw new InvalidConfigException(old + " is not a node of the ring");
        }
        if (indexOfNode(replacement) >= 0) {
            throw new InvalidConfigException(replacement + " is already a node of the ring");
        }
        NodeId[] renamed = nodes.clone();
        renamed[leaver] = replacement;
        Arrays.sort(renamed);
        int[] newIndex = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            newIndex[i] = Arrays.binarySearch(renamed, i == leaver ? replacement : nodes[i]);
        }
        return new Ring(epoch + 1, renamed, replicas, Placements.renumbered(placement, newIndex));
    }

    /**
     * How many (partition, node) placements of {@code after} are not in {@code before}: the
     * partition replicas that must be copied to a new node to go from one to the other.
     */
    public static int movedPlacements(Ring before, Ring after) {
        if (before.partitionCount != after.partitionCount) {
            throw new IllegalArgumentException("rings of " + before.partitionCount + " and " + after.partitionCount
                    + " partitions cannot be compared");
        }
        int moved = 0;
        for (int partition = 0; partition < before.partitionCount; partition++) {
            List<NodeId> was = before.replicaLists[partition];
            for (NodeId node : after.replicaLists[partition]) {
                if (!was.contains(node)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    /** Starts at 1 for a new cluster; each change of the placement adds one. */
    public long epoch() {
        return epoch;
    }

    public int partitionCount() {
        return partitionCount;
    }

    public int replicaCount() {
        return replicas;
    }

    /** Every node of the ring, in ascending order. */
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

    /** The partition's first replica. */
    public NodeId owner(int partition) {
        return nodes[placement[partition * replicas]];
    }

    /** The preference list: the {@code replicas} distinct nodes that hold the partition's keys. */
    public List<NodeId> replicas(int partition) {
        return replicaLists[partition];
    }

    public List<NodeId> replicasOf(byte[] key) {
        return replicaLists[partitionOf(key)];
    }

    /** The partition's replicas as node numbers, in order: the form {@link #of(long, List, int, int[][])} reads. */
    public int[] replicaNumbers(int partition) {
        int[] numbers = new int[replicas];
        for (int i = 0; i < replicas; i++) {
            numbers[i] = nodes[placement[partition * replicas + i]].number();
        }
        return numbers;
    }

    /**
     * The first {@code replicas} nodes of {@link #clockwise(int)} that {@code skip} does not
     * reject: where the partition's replicas go when the rejected nodes are gone.
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
     * Every node exactly once: first the partition's replicas, then the nodes that stand in
     * for them when they are down, met walking the replica lists of the following partitions
     * (wrapping), then any node that holds nothing. Different partitions have different
     * stand-ins, so a down node's load spreads over many nodes.
     */
    public Iterator<NodeId> clockwise(int partition) {
        return new ClockwiseWalk(partition);
    }

    /** Partitions whose preference list includes {@code node}, in ascending order. */
    public int[] partitionsReplicatedBy(NodeId node) {
        int index = indexOfNode(node);
        int[] found = new int[partitionCount];
        int count = 0;
        if (index >= 0) {
            for (int slot = 0; slot < placement.length; slot++) {
                if (placement[slot] == index) {
                    found[count++] = slot / replicas;
                }
            }
        }
        return Arrays.copyOf(found, count);
    }

    /** Position of a node in the ring's sorted node list, or -1. */
    public int indexOfNode(NodeId node) {
        int index = Arrays.binarySearch(nodes, node);
        return index < 0 ? -1 : index;
    }

    /** Same epoch, nodes, replica count and placement. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Ring ring && epoch == ring.epoch && replicas == ring.replicas
                && Arrays.equals(nodes, ring.nodes) && Arrays.equals(placement, ring.placement);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Arrays.hashCode(placement);
    }

    @Override
    public String toString() {
        return "Ring[epoch=" + epoch + ", nodes=" + nodes.length + ", replicas=" + replicas
                + ", partitions=" + partitionCount + "]";
    }

    private static NodeId[] checkedNodes(List<NodeId> nodes, int replicas) {
        if (nodes.isEmpty()) {
            throw new InvalidConfigException("nodes must not be empty");
        }
        if (replicas < 1) {
            throw new InvalidConfigException("replicas (" + replicas + ") must be at least 1");
        }
        if (replicas > nodes.size()) {
            throw new InvalidConfigException("replicas (" + replicas + ") must not exceed nodes (" + nodes.size() + ")");
        }
        NodeId[] sorted = nodes.toArray(NodeId[]::new);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].equals(sorted[i - 1])) {
                throw new InvalidConfigException("node " + sorted[i] + " is listed twice");
            }
        }
        return sorted;
    }

    /** Seeded from the change itself, so that every node derives the same next placement. */
    private SplittableRandom randomFor(NodeId node) {
        return new SplittableRandom(epoch * 0x9E37_79B9_7F4A_7C15L + node.number());
    }

    /*
     * The clockwise walk is a sequence of node indexes: position k < partitions x replicas is
     * slot k of the placement read from the start partition onwards (wrapping); positions
     * past that are the node indexes in order, so that nodes holding nothing come last. The
     * walk returns each node the first time it appears.
     */
    private int walkAt(int partition, int position) {
        int slots = placement.length;
        if (position >= slots) {
            return position - slots;
        }
        int slot = partition * replicas + position;
        return placement[slot < slots ? slot : slot - slots];
    }

    private int walkLength() {
        return placement.length + nodes.length;
    }

    private void precompute(int partition, int size) {
        BitSet seen = new BitSet(nodes.length);
        NodeId[] found = new NodeId[size];
        int count = 0;
        int position = 0;
        while (count < size) {
            int node = walkAt(partition, position++);
            if (!seen.get(node)) {
                seen.set(node);
                found[count++] = nodes[node];
            }
        }
        extendedLists[partition] = List.of(found);
        replicaLists[partition] = List.of(Arrays.copyOf(found, replicas));
        extendedScanLength[partition] = position;
    }

    @SuppressWarnings("unchecked")
    private static List<NodeId>[] newListArray(int size) {
        return (List<NodeId>[]) new List[size];
    }

    /** Walks the precomputed prefix, then scans on for the remaining nodes. */
    private final class ClockwiseWalk implements Iterator<NodeId> {
        private final int partition;
        private final List<NodeId> prefix;
        private int returned;
        private BitSet seen;
        private int position;
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
                    seen.set(indexOfNode(node));
                }
                position = extendedScanLength[partition];
            }
            int length = walkLength();
            while (position < length) {
                int node = walkAt(partition, position++);
                if (!seen.get(node)) {
                    seen.set(node);
                    next = nodes[node];
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
}
