package io.dkv.cluster.rebalance;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.NodeId;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which requests a replica answers while and after the ring moves from n1..n3 to n1..n4. */
class EpochFenceTest {

    private static final Scheduler NEVER = new Scheduler() {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            return () -> { };
        }

        @Override
        public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
            return () -> { };
        }
    };

    private static final Ring OLD = Ring.initial(Ring.numberedNodes(3), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring NEW = OLD.withJoined(NodeId.of(4));
    private static final RingState STABLE = RingState.initial(OLD);
    private static final RingState MOVING = STABLE.movingTo(NEW);
    private static final RingState MOVED = MOVING.finished();

    private static int partitionWhere(boolean moves) {
        for (int partition = 0; partition < OLD.partitionCount(); partition++) {
            if (MOVING.moving(partition) == moves) {
                return partition;
            }
        }
        throw new AssertionError("no partition that " + (moves ? "moves" : "stays"));
    }

    private static NodeId member(List<NodeId> of) {
        return of.get(0);
    }

    @Test
    void aReplicaThatLearntTheMoveRefusesVotesRoutedByTheOldRingForAMovingPartitionOnly() {
        int moving = partitionWhere(true);
        int staying = partitionWhere(false);
        NodeId self = member(OLD.replicas(moving));
        RingHolder rings = new RingHolder(STABLE, NEVER);
        EpochFence fence = new EpochFence(self, rings);
        rings.install(MOVING);

        NotMine refused = fence.check(moving, STABLE.epoch(), false);
        assertThat(refused).isNotNull();
        assertThat(refused.epoch()).isEqualTo(MOVING.epoch());
        assertThat(fence.check(moving, MOVING.epoch(), false)).isNull();
        assertThat(fence.check(moving, WriteRequest.NO_EPOCH, false)).as("repairs and hints are not votes").isNull();
        if (OLD.replicas(staying).contains(self)) {
            assertThat(fence.check(staying, STABLE.epoch(), false)).as("a partition that does not move").isNull();
        }
    }

    @Test
    void anIncomingReplicaTakesWritesButNotReadsUntilTheMoveIsOver() {
        int moving = partitionWhere(true);
        NodeId incoming = MOVING.incoming(moving).get(0);
        RingHolder rings = new RingHolder(STABLE, NEVER);
        EpochFence fence = new EpochFence(incoming, rings);
        rings.install(MOVING);

        assertThat(fence.check(moving, MOVING.epoch(), false)).isNull();
        assertThat(fence.check(moving, MOVING.epoch(), true)).isNotNull();
        rings.install(MOVED);
        assertThat(fence.check(moving, MOVED.epoch(), true)).isNull();
    }

    @Test
    void aRequestRoutedByANewerRingIsAnsweredAndOneByAForgottenRingIsRefused() {
        int moving = partitionWhere(true);
        NodeId self = member(NEW.replicas(moving));
        RingHolder rings = new RingHolder(STABLE, NEVER);
        EpochFence fence = new EpochFence(self, rings);
        assertThat(fence.check(moving, MOVED.epoch(), true)).as("the coordinator knows more").isNull();

        RingState state = MOVED;
        rings.install(MOVING);
        rings.install(MOVED);
        for (int i = 0; i < RingHolder.HISTORY; i++) {
            state = new RingState(state.epoch() + 1, NEW, null);
            rings.install(state);
        }
        assertThat(fence.check(moving, MOVED.epoch(), true)).as("same replicas, but the epoch is forgotten").isNotNull();
        assertThat(fence.check(moving, state.epoch() - 1, true)).as("same replicas, remembered").isNull();
    }

    @Test
    void aLeavingReplicaRefusesEverythingOnceTheMoveIsOver() {
        int moving = partitionWhere(true);
        NodeId leaving = OLD.replicas(moving).stream().filter(n -> !NEW.replicas(moving).contains(n)).findFirst()
                .orElse(null);
        if (leaving == null) {
            return;
        }
        RingHolder rings = new RingHolder(STABLE, NEVER);
        EpochFence fence = new EpochFence(leaving, rings);
        rings.install(MOVING);
        assertThat(fence.check(moving, MOVING.epoch(), true)).as("still a current replica").isNull();
        rings.install(MOVED);
        assertThat(fence.check(moving, MOVING.epoch(), true)).isNotNull();
        assertThat(fence.check(moving, MOVED.epoch(), false)).isNotNull();
    }
}
