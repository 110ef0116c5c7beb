package io.dkv.cluster.membership;

import io.dkv.core.NodeId;

/**
 * One node's view of one peer, for operators.
 *
 * @param node             the peer
 * @param state            up, suspect or down
 * @param phi              current suspicion (0 for this node itself)
 * @param lastHeardMillis  milliseconds since its heartbeat last advanced, or -1 if never
 * @param generation       the peer incarnation last seen
 * @param heartbeat        its heartbeat counter
 */
public record PeerStatus(NodeId node, PeerState state, double phi, long lastHeardMillis, long generation, long heartbeat) {
}
