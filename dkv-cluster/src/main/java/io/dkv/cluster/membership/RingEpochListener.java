package io.dkv.cluster.membership;

import io.dkv.core.NodeId;

/** Told, on the membership thread, the ring epoch a peer's gossip says it has committed. */
@FunctionalInterface
public interface RingEpochListener {

    void epochSeen(NodeId peer, long epoch);
}
