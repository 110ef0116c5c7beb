package io.dkv.server.http;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.core.NodeId;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster as one node sees it, as the dashboard reads it from {@code /api/cluster}.
 * Field names are the JSON contract of the page.
 */
record ClusterView(String node, int nodes, int replicas, int partitions, String readConsistency,
                   String writeConsistency, long time, List<Peer> peers) {

    /** One node of the cluster, with its state as seen from here and its own headline figures. */
    record Peer(String node, boolean self, String state, double phi, long heartbeatAgeMs, int opsPerSecond,
                double p99Ms, long keys, long hints, long hintsHere) {
    }

    static ClusterView of(ClusterNode node, List<PeerStatus> statuses, Map<NodeId, Integer> hintsHere, long now) {
        List<Peer> peers = statuses.stream().map(status -> new Peer(
                status.node().toString(),
                status.node().equals(node.id()),
                status.state().name().toLowerCase(Locale.ROOT),
                Double.isFinite(status.phi()) ? Math.max(0, Math.round(status.phi() * 10) / 10.0) : 999.9,
                status.lastHeardMillis(),
                status.load().opsPerSecond(),
                status.load().p99Micros() / 1000.0,
                status.load().keys(),
                status.load().hints(),
                hintsHere.getOrDefault(status.node(), 0))).toList();
        return new ClusterView(node.id().toString(), node.config().nodes(), node.config().replicas(),
                node.ring().partitionCount(), node.config().readConsistency().name(),
                node.config().writeConsistency().name(), now, peers);
    }
}
