package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {

    private final Ring ring = Ring.of(8, 3);
    private final int partition = 17;
    private final List<NodeId> replicas = ring.replicas(partition);

    @Test
    void withEveryoneUpTheTargetsAreTheReplicas() {
        Router router = new Router(node -> true, true);

        assertThat(router.sloppyTargets(ring, partition)).extracting(ReplicaTarget::node).containsExactlyElementsOf(replicas);
        assertThat(router.sloppyTargets(ring, partition)).noneMatch(ReplicaTarget::isStandIn);
    }

    @Test
    void aDownReplicaIsReplacedByTheNextUpNodeCarryingAHint() {
        NodeId down = replicas.get(1);
        Router router = new Router(node -> !node.equals(down), true);

        List<ReplicaTarget> targets = router.sloppyTargets(ring, partition);

        NodeId firstNonReplica = ring.replicasSkipping(partition, down::equals).get(2);
        assertThat(targets).containsExactly(
                new ReplicaTarget(replicas.get(0), null),
                new ReplicaTarget(replicas.get(2), null),
                new ReplicaTarget(firstNonReplica, down));
    }

    @Test
    void downStandInsAreSkippedToo() {
        NodeId downReplica = replicas.get(0);
        NodeId firstStandIn = ring.replicasSkipping(partition, downReplica::equals).get(2);
        Set<NodeId> down = Set.of(downReplica, firstStandIn);
        Router router = new Router(node -> !down.contains(node), true);

        ReplicaTarget standIn = router.sloppyTargets(ring, partition).get(2);

        assertThat(standIn.hintFor()).isEqualTo(downReplica);
        assertThat(standIn.node()).isNotIn(down).isNotIn(replicas);
    }

    @Test
    void withoutSloppyQuorumDownReplicasAreLeftOut() {
        NodeId down = replicas.get(1);
        Router router = new Router(node -> !node.equals(down), false);

        assertThat(router.sloppyTargets(ring, partition)).extracting(ReplicaTarget::node)
                .containsExactly(replicas.get(0), replicas.get(2));
    }

    @Test
    void withTooFewNodesUpThereAreFewerTargets() {
        Set<NodeId> up = Set.of(replicas.get(0), replicas.get(1));
        Router router = new Router(up::contains, true);

        assertThat(router.sloppyTargets(ring, partition)).extracting(ReplicaTarget::node)
                .containsExactly(replicas.get(0), replicas.get(1));
    }
}
