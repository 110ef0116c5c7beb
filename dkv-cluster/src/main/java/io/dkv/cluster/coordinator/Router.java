package io.dkv.cluster.coordinator;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Chooses the nodes a request for a partition goes to. Reads go to the partition's replicas
 * that are up ({@link #upReplicas}); so do writes while enough replicas are up. When too few
 * are up for a write's consistency level, {@link #sloppyTargets} replaces each down replica
 * by the next up node clockwise that is not already a replica (a sloppy quorum, as in Dynamo
 * section 4.6); the stand-in is told whom it stands in for so that it can keep a hint.
 *
 * <p>Thread-safe: reads the immutable ring it is handed and the liveness view only. The
 * ring is an argument, not a field, because it changes (ring epochs): a request routes by
 * the one ring it read when it began.
 */
public final class Router {

    private final LivenessView liveness;
    private final boolean sloppy;

    /**
     * @param sloppy whether down replicas are replaced by stand-ins (which needs hinted
     *               handoff); when false, down replicas are simply left out
     */
    public Router(LivenessView liveness, boolean sloppy) {
        this.liveness = liveness;
        this.sloppy = sloppy;
    }

    /** The partition's replicas that this node believes are up, in preference-list order. */
    public List<NodeId> upReplicas(Ring ring, int partition) {
        return up(ring.replicas(partition));
    }

    public boolean isUp(NodeId node) {
        return liveness.isUp(node);
    }

    /** The nodes of {@code replicas} that this node believes are up, in order. */
    public List<NodeId> up(List<NodeId> replicas) {
        List<NodeId> up = new ArrayList<>(replicas.size());
        for (NodeId replica : replicas) {
            if (liveness.isUp(replica)) {
                up.add(replica);
            }
        }
        return up;
    }

    /** The partition's replicas that this node believes are down. */
    public List<NodeId> downReplicas(Ring ring, int partition) {
        List<NodeId> down = new ArrayList<>();
        for (NodeId replica : ring.replicas(partition)) {
            if (!liveness.isUp(replica)) {
                down.add(replica);
            }
        }
        return down;
    }

    /** Whether down replicas may be replaced by stand-ins at all (hinted handoff is on). */
    public boolean sloppy() {
        return sloppy;
    }

    /**
     * The targets for a partition: at most one per replica, fewer when there are not enough
     * up nodes to stand in for the down ones. Without sloppy quorums, just the up replicas.
     */
    public List<ReplicaTarget> sloppyTargets(Ring ring, int partition) {
        List<NodeId> replicas = ring.replicas(partition);
        int down = 0;
        for (NodeId replica : replicas) {
            if (!liveness.isUp(replica)) {
                down++;
            }
        }
        List<ReplicaTarget> targets = new ArrayList<>(replicas.size());
        if (down == 0) {
            for (NodeId replica : replicas) {
                targets.add(new ReplicaTarget(replica, null));
            }
            return targets;
        }
        List<NodeId> downReplicas = new ArrayList<>(down);
        for (NodeId replica : replicas) {
            if (liveness.isUp(replica)) {
                targets.add(new ReplicaTarget(replica, null));
            } else {
                downReplicas.add(replica);
            }
        }
        if (!sloppy) {
            return targets;
        }
        Iterator<NodeId> walk = ring.clockwise(partition);
        for (int skip = 0; skip < replicas.size(); skip++) {
            walk.next();
        }
        int next = 0;
        while (next < downReplicas.size() && walk.hasNext()) {
            NodeId candidate = walk.next();
            if (liveness.isUp(candidate)) {
                targets.add(new ReplicaTarget(candidate, downReplicas.get(next++)));
            }
        }
        return targets;
    }

    /**
     * The next node clockwise from the partition that is up and not in {@code exclude}: where
     * a request goes when one of its targets failed to answer. {@code null} when none is left.
     */
    public NodeId nextStandIn(Ring ring, int partition, Set<NodeId> exclude) {
        if (!sloppy) {
            return null;
        }
        Iterator<NodeId> walk = ring.clockwise(partition);
        while (walk.hasNext()) {
            NodeId candidate = walk.next();
            if (!exclude.contains(candidate) && liveness.isUp(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
