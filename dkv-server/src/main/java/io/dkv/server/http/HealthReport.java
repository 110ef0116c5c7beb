package io.dkv.server.http;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.NodeStatus;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /health}: whether this node can serve its ranges. It serves when it is not
 * recovering and every partition it replicates has a quorum of its replicas up (as this
 * node sees them); otherwise some requests at QUORUM on its ranges would fail, and it
 * answers 503.
 *
 * @param partitions                 partitions this node replicates
 * @param partitionsWithoutQuorum    of those, how many lack a quorum of up replicas
 * @param clockSkewRefusals          versions this node refused because they were stamped too far
 *                                   ahead of its clock (a peer's clock, or its own, is off)
 */
record HealthReport(String node, String status, List<String> peersUp, List<String> peersDown, int partitions,
                    int partitionsWithoutQuorum, long clockSkewRefusals) {

    boolean serving() {
        return status.equals("serving");
    }

    static HealthReport of(ClusterNode node, List<PeerStatus> statuses) {
        Set<NodeId> down = new HashSet<>();
        List<String> up = new ArrayList<>();
        List<String> downNames = new ArrayList<>();
        for (PeerStatus status : statuses) {
            if (status.state() == PeerState.DOWN && !status.node().equals(node.id())) {
                down.add(status.node());
                downNames.add(status.node().toString());
            } else {
                up.add(status.node().toString());
            }
        }
        NodeStatus view = node.status();
        int quorum = Consistency.QUORUM.required(view.config().replicas());
        int[] partitions = view.ring().partitionsReplicatedBy(node.id());
        int withoutQuorum = 0;
        for (int partition : partitions) {
            long upReplicas = view.ring().replicas(partition).stream().filter(n -> !down.contains(n)).count();
            if (upReplicas < quorum) {
                withoutQuorum++;
            }
        }
        String status = view.recovering() ? "recovering" : withoutQuorum == 0 ? "serving" : "unavailable";
        return new HealthReport(node.id().toString(), status, up, downNames, partitions.length, withoutQuorum,
                view.counters().clockSkewRefusals.sum());
    }
}
