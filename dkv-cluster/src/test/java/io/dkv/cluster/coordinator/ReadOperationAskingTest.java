package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.ReadReply;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Which replicas a {@link ReadOperation} asks: the first {@code asked} of its targets, the next
 * one in place of one that fails or refuses, and one more when asked to speculate. How answers
 * merge is {@link ReadOperationTest}'s subject.
 */
class ReadOperationAskingTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);
    private static final List<NodeId> REPLICAS = List.of(N1, N2, N3);
    private static final Entry VALUE = Entry.value("v".getBytes(StandardCharsets.UTF_8), new Version(1_000L << 16, 1));

    private final AtomicInteger allAnswered = new AtomicInteger();

    private ReadOperation quorumOfThree() {
        return new ReadOperation(REPLICAS, 0, 2, 2, done -> allAnswered.incrementAndGet());
    }

    @Test
    void asksOnlyAsManyAsTheLevelNeedsTheFirstForTheValue() {
        assertThat(quorumOfThree().initialRequests()).containsExactly(
                new ReadOperation.Send(0, N1, false), new ReadOperation.Send(1, N2, true));
        assertThat(new ReadOperation(REPLICAS, 0, 3, 3, done -> { }).initialRequests()).hasSize(3);
        assertThat(new ReadOperation(REPLICAS, 0, 1, 1, done -> { }).initialRequests())
                .containsExactly(new ReadOperation.Send(0, N1, false));
    }

    @Test
    void aFailedDigestIsReplacedByADigestFromTheNextReplica() {
        ReadOperation read = quorumOfThree();
        read.initialRequests();
        assertThat(read.onReply(0, new ReadReply(VALUE))).isNull();

        assertThat(read.onFailure(1, "timed out")).isEqualTo(new ReadOperation.Send(2, N3, true));
        assertThat(read.result()).isNotDone();
        assertThat(read.onReply(2, DigestReply.of(VALUE))).isNull();

        assertThat(read.result().join()).isEqualTo(VALUE);
        assertThat(allAnswered).hasValue(1);
    }

    @Test
    void aFailedValueReadIsReplacedByAValueRead() {
        ReadOperation read = quorumOfThree();
        read.initialRequests();
        assertThat(read.onReply(1, DigestReply.of(VALUE))).isNull();

        assertThat(read.onReply(0, new ErrorReply("n1 is recovering"))).isEqualTo(new ReadOperation.Send(2, N3, false));
        assertThat(read.onReply(2, new ReadReply(VALUE))).isNull();

        assertThat(read.result().join()).isEqualTo(VALUE);
    }

    @Test
    void failsOnceTooFewReplicasAreLeftEvenAfterReplacing() {
        ReadOperation read = quorumOfThree();
        read.initialRequests();
        assertThat(read.onFailure(1, "down")).isEqualTo(new ReadOperation.Send(2, N3, true));
        assertThat(read.onFailure(2, "down")).isNull();

        assertThat(catchThrowable(() -> read.result().join())).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotEnoughReplicasException.class);
        assertThat(read.onFailure(0, "down")).as("nobody is left to ask").isNull();
    }

    @Test
    void speculatesOnceForWhatIsMissing() {
        ReadOperation digestMissing = quorumOfThree();
        digestMissing.initialRequests();
        digestMissing.onReply(0, new ReadReply(VALUE));
        assertThat(digestMissing.speculate()).isEqualTo(new ReadOperation.Send(2, N3, true));
        assertThat(digestMissing.speculate()).isNull();
        assertThat(digestMissing.onReply(2, DigestReply.of(VALUE))).isNull();
        assertThat(digestMissing.result().join()).isEqualTo(VALUE);
        assertThat(allAnswered).as("the slow replica is still waited for before repairing").hasValue(0);
        digestMissing.onFailure(1, "timed out");
        assertThat(allAnswered).hasValue(1);

        ReadOperation valueMissing = quorumOfThree();
        valueMissing.initialRequests();
        valueMissing.onReply(1, DigestReply.of(VALUE));
        assertThat(valueMissing.speculate()).isEqualTo(new ReadOperation.Send(2, N3, false));
    }

    @Test
    void neitherReplacesNorSpeculatesOnceDecided() {
        ReadOperation read = new ReadOperation(REPLICAS, 0, 1, 1, done -> { });
        read.initialRequests();
        read.onReply(0, new ReadReply(VALUE));

        assertThat(read.result().join()).isEqualTo(VALUE);
        assertThat(read.speculate()).isNull();
        assertThat(read.hasUnasked()).isTrue();
    }

    @Test
    void aReplacementAfterASpeculationTakesTheLastReplica() {
        ReadOperation read = new ReadOperation(List.of(N1, N2, N3, NodeId.of(4), NodeId.of(5)), 0, 3, 3, done -> { });
        read.initialRequests();
        assertThat(read.speculate()).isEqualTo(new ReadOperation.Send(3, NodeId.of(4), false));
        assertThat(read.onFailure(1, "refused")).isEqualTo(new ReadOperation.Send(4, NodeId.of(5), true));
        assertThat(read.onFailure(2, "refused")).as("all five asked").isNull();
        assertThat(read.hasUnasked()).isFalse();
    }

    @Test
    void refusesAskingFewerThanTheLevelNeeds() {
        assertThat(catchThrowable(() -> new ReadOperation(REPLICAS, 0, 2, 1, done -> { })))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> new ReadOperation(REPLICAS, 2, 2, 2, done -> { })))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
