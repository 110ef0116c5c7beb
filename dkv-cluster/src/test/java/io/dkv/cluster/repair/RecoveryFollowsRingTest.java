package io.dkv.cluster.repair;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A recovering node owes comparisons with the holders of its partitions in the ring in force. */
class RecoveryFollowsRingTest {

    private static final Ring OLD = Ring.initial(Ring.numberedNodes(3), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring NEW = OLD.withJoined(NodeId.of(4));
    private static final RingState MOVING = RingState.initial(OLD).movingTo(NEW);
    private static final NodeId SELF = NodeId.of(1);
    private static final List<NodeId> OTHERS = List.of(NodeId.of(2), NodeId.of(3), NodeId.of(4));

    @Test
    void duringAMoveTheNextReplicasAreOwedTooAndComparisonsAlreadyMadeAreNotOwedAgain() {
        Recovery recovery = Recovery.recovering(SELF, OLD);
        int moving = -1;
        for (int partition : OLD.partitionsReplicatedBy(SELF)) {
            if (!MOVING.incoming(partition).isEmpty()) {
                moving = partition;
            }
        }
        assertThat(moving).as("a partition of %s that gains a node", SELF).isNotNegative();
        NodeId incoming = MOVING.incoming(moving).get(0);
        NodeId other = OLD.replicas(moving).stream().filter(node -> !node.equals(SELF)).findFirst().orElseThrow();
        assertThat(recovery.owedWith(incoming)).isEmpty();
        recovery.compared(moving, other);

        recovery.follow(MOVING);

        assertThat(recovery.owedWith(incoming)).contains(moving);
        assertThat(recovery.owedWith(other)).doesNotContain(moving);
        for (NodeId peer : OTHERS) {
            for (int partition : recovery.owedWith(peer)) {
                assertThat(MOVING.holders(partition)).contains(SELF, peer);
            }
        }

        recovery.follow(MOVING.finished());
        for (int partition = 0; partition < OLD.partitionCount(); partition++) {
            if (!NEW.replicas(partition).contains(SELF)) {
                for (NodeId peer : OTHERS) {
                    assertThat(recovery.owedWith(peer)).as("partition %d left %s", partition, SELF)
                            .doesNotContain(partition);
                }
            }
        }
        assertThat(recovery.finishIfDone(LivenessView.ALL_UP)).as("comparisons still owed").isFalse();
        assertThat(recovery.finishIfDone(node -> false)).as("every peer down: nothing left to wait for").isTrue();
    }
}
