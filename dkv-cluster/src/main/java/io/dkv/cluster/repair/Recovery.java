package io.dkv.cluster.repair;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node may lack data, and which comparisons it still owes before it votes.
 *
 * <p>A node that restarted without its data (or that may have lost its last writes) must
 * not count toward read or write quorums: it would answer "absent" or an old version with
 * the weight of a replica that has everything. It becomes a voter again once it has compared
 * every partition it replicates with every other replica of that partition that is up (by
 * anti-entropy, see {@link AntiEntropy#recoveryRound}, which compares the roots of many
 * owed partitions in one message and goes further only into those that differ). Fewer
 * would not do: with RF 3 and W 2 an acknowledged write may sit on exactly one of the
 * other two replicas. A peer that is
 * down when the comparisons are due is skipped: under the quorum guarantee (one faulty
 * replica at a time) it cannot be the only holder of a write while this node is faulty too.
 *
 * <p>Thread-safe: the pending pairs are a concurrent map; the state flips once, from
 * recovering to ready, and is read through a volatile field.
 */
public final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /** One comparison still owed: a partition with one of its other replicas. */
    public record Pair(int partition, NodeId peer) {
    }

    private final NodeId self;
    private final Map<Integer, Set<NodeId>> pending = new ConcurrentHashMap<>();
    /** Comparisons done, so that a ring state installed later does not owe them again. */
    private final Set<Pair> done = ConcurrentHashMap.newKeySet();
    private volatile boolean recovering;

    private Recovery(NodeId self, boolean recovering) {
        this.self = self;
        this.recovering = recovering;
    }

    /** A node that has all its data: it votes from the start. */
    public static Recovery ready(NodeId self) {
        return new Recovery(self, false);
    }

    /** A node that may lack data: it owes a comparison of every partition it replicates with each other replica. */
    public static Recovery recovering(NodeId self, Ring ring) {
        Recovery recovery = new Recovery(self, true);
        for (int partition : ring.partitionsReplicatedBy(self)) {
            Set<NodeId> peers = ConcurrentHashMap.newKeySet();
            for (NodeId replica : ring.replicas(partition)) {
                if (!replica.equals(self)) {
                    peers.add(replica);
                }
            }
            if (!peers.isEmpty()) {
                recovery.pending.put(partition, peers);
            }
        }
        if (recovery.pending.isEmpty()) {
            recovery.recovering = false;
        }
        return recovery;
    }

    /**
     * While recovering: owes from now on a comparison of every partition this node holds a
     * copy of in {@code state} with each other holder ({@link RingState#holders}), except
     * those already done. Called on the node's scheduler when a ring state is installed.
     */
    public void follow(RingState state) {
        if (!recovering) {
            return;
        }
        for (int partition = 0; partition < state.current().partitionCount(); partition++) {
            List<NodeId> holders = state.holders(partition);
            if (!holders.contains(self)) {
                pending.remove(partition);
                continue;
            }
            Set<NodeId> peers = ConcurrentHashMap.newKeySet();
            for (NodeId holder : holders) {
                if (!holder.equals(self) && !done.contains(new Pair(partition, holder))) {
                    peers.add(holder);
                }
            }
            if (peers.isEmpty()) {
                pending.remove(partition);
            } else {
                pending.put(partition, peers);
            }
        }
    }

    /** Whether this node may lack data: its answers do not count toward consistency levels. */
    public boolean isRecovering() {
        return recovering;
    }

    /** Comparisons still owed (whatever the peers' state). */
    public int pendingComparisons() {
        int count = 0;
        for (Set<NodeId> peers : pending.values()) {
            count += peers.size();
        }
        return count;
    }

    /** Records that {@code partition} was fully compared with {@code peer}. */
    public void compared(int partition, NodeId peer) {
        if (recovering) {
            done.add(new Pair(partition, peer));
        }
        Set<NodeId> peers = pending.get(partition);
        if (peers != null) {
            peers.remove(peer);
            if (peers.isEmpty()) {
                pending.remove(partition, peers);
            }
        }
    }

    /** The peers some comparison is still owed to (whatever their state). */
    public Set<NodeId> peersOwed() {
        Set<NodeId> peers = new TreeSet<>(Comparator.comparingInt(NodeId::number));
        for (Set<NodeId> owed : pending.values()) {
            peers.addAll(owed);
        }
        return peers;
    }

    /** The partitions whose comparison with {@code peer} is still owed, ascending. */
    public List<Integer> owedWith(NodeId peer) {
        List<Integer> partitions = new ArrayList<>();
        for (Map.Entry<Integer, Set<NodeId>> entry : pending.entrySet()) {
            if (entry.getValue().contains(peer)) {
                partitions.add(entry.getKey());
            }
        }
        partitions.sort(null);
        return partitions;
    }

    /**
     * Ends recovery once every owed comparison is done or is with a peer that is down.
     *
     * @return whether the node is ready (votes) now
     */
    public boolean finishIfDone(LivenessView liveness) {
        if (!recovering) {
            return true;
        }
        int skipped = 0;
        for (Set<NodeId> peers : pending.values()) {
            for (NodeId peer : peers) {
                if (liveness.isUp(peer)) {
                    return false;
                }
                skipped++;
            }
        }
        recovering = false;
        log.info("{} finished recovering: every partition compared with every replica that is up ({} comparisons"
                + " with down replicas skipped); it counts toward quorums again", self, skipped);
        pending.clear();
        done.clear();
        return true;
    }
}
