package io.dkv.cluster.rebalance;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The ring a node routes by at one epoch: the placement in force, and while a change is
 * under way the placement it moves to.
 *
 * <p>A change takes two epochs. At the first, {@code next} is set: reads still go to the
 * {@code current} replicas, writes go to both sets and need W acks from each, and every
 * node that gains a partition copies it from the current replicas (streaming). Once all
 * of them hold their partitions, the second epoch makes {@code next} current. Why this is
 * safe is argued in docs/ARCHITECTURE.md ("Ring changes").
 *
 * @param epoch   orders states: a node only ever moves to a higher one
 * @param current the placement reads and writes use
 * @param next    the placement being moved to, or {@code null} when none is
 * @param addresses where to reach the nodes that joined after the cluster was configured
 *                (their internode {@code host:port}); the configured nodes are found by
 *                their settings. Kept with the ring so that every node learns a joiner's
 *                address from the same commit that makes it a member
 */
public record RingState(long epoch, Ring current, Ring next, Map<NodeId, String> addresses) {

    public RingState {
        Objects.requireNonNull(current, "current");
        addresses = Map.copyOf(addresses);
        if (epoch < 1) {
            throw new InvalidConfigException("a ring epoch starts at 1, not " + epoch);
        }
        if (next != null && (next.partitionCount() != current.partitionCount()
                || next.replicaCount() != current.replicaCount())) {
            throw new InvalidConfigException("a ring change keeps the partition count and replicas: "
                    + current.partitionCount() + " x " + current.replicaCount() + " cannot become "
                    + next.partitionCount() + " x " + next.replicaCount());
        }
    }

    public RingState(long epoch, Ring current, Ring next) {
        this(epoch, current, next, Map.of());
    }

    /** The first state of a new cluster. */
    public static RingState initial(Ring ring) {
        return new RingState(1, ring, null);
    }

    /** The state that starts moving to {@code target}. */
    public RingState movingTo(Ring target) {
        return movingTo(target, Map.of());
    }

    /** The state that starts moving to {@code target}, which {@code joined} (node to internode address) join. */
    public RingState movingTo(Ring target, Map<NodeId, String> joined) {
        if (next != null) {
            throw new IllegalStateException("a ring change is already under way (epoch " + epoch + ")");
        }
        Map<NodeId, String> known = new HashMap<>(addresses);
        known.putAll(joined);
        return new RingState(epoch + 1, current, target, known);
    }

    /** The state that ends the move: {@code next} becomes the placement in force. */
    public RingState finished() {
        if (next == null) {
            throw new IllegalStateException("no ring change is under way (epoch " + epoch + ")");
        }
        return new RingState(epoch + 1, next, null, addresses);
    }

    /**
     * The state that abandons the move: the placement in force stays, {@code next} is
     * dropped. Safe at any point of the move, since reads never left the current replicas
     * and every write acknowledged while moving reached W of them too; what the gaining
     * nodes copied is dropped as a partition they do not replicate.
     */
    public RingState aborted() {
        if (next == null) {
            throw new IllegalStateException("no ring change is under way (epoch " + epoch + ")");
        }
        return new RingState(epoch + 1, current, null, addresses);
    }

    /** Whether {@code node} joins in the move under way: it is in the next placement and not in the current one. */
    public boolean joining(NodeId node) {
        return next != null && next.nodes().contains(node) && !current.nodes().contains(node);
    }

    /** Whether {@code node} leaves in the move under way: it is in the current placement and not in the next one. */
    public boolean leaving(NodeId node) {
        return next != null && current.nodes().contains(node) && !next.nodes().contains(node);
    }

    public boolean moving() {
        return next != null;
    }

    /** Whether the partition's replicas change in the move under way. */
    public boolean moving(int partition) {
        return next != null && !sameMembers(current.replicas(partition), next.replicas(partition));
    }

    /** The nodes that gain the partition in the move under way (empty when it does not move). */
    public List<NodeId> incoming(int partition) {
        if (!moving(partition)) {
            return List.of();
        }
        List<NodeId> gained = new ArrayList<>();
        for (NodeId node : next.replicas(partition)) {
            if (!current.replicas(partition).contains(node)) {
                gained.add(node);
            }
        }
        return gained;
    }

    /** The nodes that gain partitions in the move under way, each once (empty when nothing moves). */
    public Set<NodeId> gaining() {
        Set<NodeId> gaining = new LinkedHashSet<>();
        if (next != null) {
            for (int partition = 0; partition < current.partitionCount(); partition++) {
                gaining.addAll(incoming(partition));
            }
        }
        return gaining;
    }

    /** Whether {@code node} takes writes for the partition: it replicates it now or after the move. */
    public boolean writesTo(NodeId node, int partition) {
        return current.replicas(partition).contains(node) || (next != null && next.replicas(partition).contains(node));
    }

    /** Whether the partition has the same replicas, now and after any move, in both states. */
    public boolean samePlacement(RingState other, int partition) {
        return sameMembers(current.replicas(partition), other.current.replicas(partition))
                && sameMembers(targetOf(partition), other.targetOf(partition));
    }

    /**
     * The nodes that hold a partition's copies, or are gaining them: its current replicas,
     * then those of the next placement that are not among them.
     */
    public List<NodeId> holders(int partition) {
        List<NodeId> holders = new ArrayList<>(current.replicas(partition));
        if (next != null) {
            for (NodeId node : next.replicas(partition)) {
                if (!holders.contains(node)) {
                    holders.add(node);
                }
            }
        }
        return holders;
    }

    /** Every node of the current and the next placement. */
    public List<NodeId> allNodes() {
        List<NodeId> all = new ArrayList<>(current.nodes());
        if (next != null) {
            for (NodeId node : next.nodes()) {
                if (!all.contains(node)) {
                    all.add(node);
                }
            }
        }
        return all;
    }

    private List<NodeId> targetOf(int partition) {
        return next == null ? current.replicas(partition) : next.replicas(partition);
    }

    private static boolean sameMembers(List<NodeId> a, List<NodeId> b) {
        return a.size() == b.size() && new HashSet<>(a).containsAll(b);
    }
}
