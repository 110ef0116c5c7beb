package io.dkv.cluster.rebalance;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RingStateTest {

    private static final Ring OLD = Ring.initial(Ring.numberedNodes(3), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring NEW = OLD.withJoined(NodeId.of(4));

    @Test
    void aChangeTakesTwoEpochsAndOnlyOneAtATime() {
        RingState stable = RingState.initial(OLD);
        RingState moving = stable.movingTo(NEW);
        RingState moved = moving.finished();

        assertThat(moving.epoch()).isEqualTo(stable.epoch() + 1);
        assertThat(moved.epoch()).isEqualTo(moving.epoch() + 1);
        assertThat(moved.current()).isSameAs(NEW);
        assertThat(moved.moving()).isFalse();
        assertThatThrownBy(() -> moving.movingTo(OLD)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(stable::finished).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void incomingNodesAreTheNextReplicasThatAreNotCurrentOnes() {
        RingState moving = RingState.initial(OLD).movingTo(NEW);
        int moved = 0;
        for (int partition = 0; partition < OLD.partitionCount(); partition++) {
            for (NodeId node : moving.incoming(partition)) {
                assertThat(NEW.replicas(partition)).contains(node);
                assertThat(OLD.replicas(partition)).doesNotContain(node);
                assertThat(moving.writesTo(node, partition)).isTrue();
            }
            if (moving.moving(partition)) {
                moved++;
                assertThat(moving.incoming(partition)).isNotEmpty();
            } else {
                assertThat(moving.incoming(partition)).isEmpty();
            }
        }
        assertThat(moved).isPositive();
    }

    @Test
    void aChangeKeepsThePartitionsAndReplicas() {
        Ring otherPartitions = Ring.initial(Ring.numberedNodes(4), 3, 16, Ring.DEFAULT_SEED);
        assertThatThrownBy(() -> RingState.initial(OLD).movingTo(otherPartitions))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("partition count");
    }

    @Test
    void anAbandonedChangeKeepsTheCurrentPlacementAtTheNextEpoch() {
        RingState moving = RingState.initial(OLD).movingTo(NEW, java.util.Map.of(NodeId.of(4), "h:1"));
        RingState abandoned = moving.aborted();

        assertThat(abandoned.epoch()).isEqualTo(moving.epoch() + 1);
        assertThat(abandoned.current()).isSameAs(OLD);
        assertThat(abandoned.moving()).isFalse();
        assertThat(abandoned).isNotEqualTo(moving.finished());
        assertThat(moving.joining(NodeId.of(4))).isTrue();
        assertThat(moving.joining(NodeId.of(1))).isFalse();
        assertThat(abandoned.joining(NodeId.of(4))).isFalse();
        assertThatThrownBy(abandoned::aborted).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLeavingNodeIsCurrentAndNotNext() {
        RingState moving = RingState.initial(NEW).movingTo(NEW.withoutNode(NodeId.of(2)));
        assertThat(moving.leaving(NodeId.of(2))).isTrue();
        assertThat(moving.leaving(NodeId.of(1))).isFalse();
        assertThat(moving.joining(NodeId.of(2))).isFalse();
    }
}
