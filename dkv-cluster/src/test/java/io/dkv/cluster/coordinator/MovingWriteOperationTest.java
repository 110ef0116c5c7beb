package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write to a partition that moves from {n1, n2, n3} to {n1, n2, n4}: it needs W acks from
 * the current replicas and W from the next ones, and n4's ack counts for the next set only.
 */
class MovingWriteOperationTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);
    private static final NodeId N4 = NodeId.of(4);
    private static final Version VERSION = new Version(5_000L << 16, 1);
    private static final Message ACK = WriteReply.stored(false, VERSION);

    private static WriteOperation moving() {
        List<ReplicaTarget> targets = List.of(new ReplicaTarget(N1, null), new ReplicaTarget(N2, null),
                new ReplicaTarget(N3, null), new ReplicaTarget(N4, null));
        return new WriteOperation("write", VERSION, 2, targets, targets.size(), false, Set.of(N1, N2, N4), Set.of(N4));
    }

    @Test
    void twoCurrentAcksAreNotEnoughWhenOnlyOneOfThemIsANextReplica() {
        WriteOperation write = moving();
        write.onReply(N1, ACK);
        write.onReply(N3, ACK);
        assertThat(write.result()).as("current {n1, n3} acked, next has n1 only").isNotDone();
        write.onReply(N4, ACK);
        assertThat(write.result()).isCompleted();
    }

    @Test
    void theIncomingReplicasAckDoesNotCountForTheCurrentSet() {
        WriteOperation write = moving();
        write.onReply(N1, ACK);
        write.onReply(N4, ACK);
        assertThat(write.result()).as("next {n1, n4} acked, current has n1 only").isNotDone();
        write.onReply(N2, ACK);
        assertThat(write.result()).isCompleted();
    }

    @Test
    void failsAsSoonAsTheNextSetCannotReachTheLevel() {
        WriteOperation write = moving();
        write.onReply(N3, ACK);
        write.onFailure(N4, "timed out", null);
        assertThat(write.result()).isNotDone();
        write.onFailure(N2, "timed out", null);
        assertThat(write.result()).as("next {n1, n2, n4}: two failed").isCompletedExceptionally();
    }

    @Test
    void aRefusalByANewerRingIsAFailureThatRemembersTheEpoch() {
        WriteOperation write = moving();
        write.onReply(N1, new NotMine(9, "moved"));
        write.onReply(N2, new NotMine(8, "moved"));
        assertThat(write.result()).isCompletedExceptionally();
        assertThat(write.newerEpoch()).isEqualTo(9);
    }
}
