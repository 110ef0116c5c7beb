package io.dkv.cluster.membership;

import io.dkv.core.NodeId;
import io.dkv.core.message.NodeLoad;

/**
 * One node's view of one peer, for operators.
 *
 * @param node             the peer
 * @param state            up, suspect or down
 * @param phi              current suspicion (0 for this node itself)
 * @param lastHeardMillis  milliseconds since its heartbeat last advanced, or -1 if never
 * @param generation       the peer incarnation last seen
 * @param heartbeat        its heartbeat counter
 * @param load             its headline figures as of that heartbeat
 */
public record PeerStatus(NodeId node, PeerState state, double phi, long lastHeardMillis, long generation, long heartbeat,
                         NodeLoad load) {
}
