package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link WriteOperation} as a table: each case is a write's targets, the answers they give
 * in order, the stand-in (if any) the operation asks for after each, and how the write ends.
 * Replicas are n1, n2, n3; stand-ins come from n4, n5 in that order.
 */
class WriteOperationTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);
    private static final NodeId N4 = NodeId.of(4);
    private static final NodeId N5 = NodeId.of(5);
    private static final List<NodeId> REPLICAS = List.of(N1, N2, N3);
    private static final List<NodeId> STAND_INS = List.of(N4, N5);
    private static final Version VERSION = new Version(5_000L << 16, 1);

    private static final Message ACK = WriteReply.stored(false, VERSION);
    private static final Message ACK_HAD_VALUE = WriteReply.stored(true, VERSION);
    /** A replica that already held something newer also acknowledges. */
    private static final Message ACK_NEWER_KEPT = WriteReply.stored(true, new Version(6_000L << 16, 3));
    private static final Message RECOVERING_ACK = new WriteReply(false, VERSION, true);
    private static final Message FULL = new ErrorReply("storage full (memory-limit-bytes)", true);
    private static final Message REFUSED = new ErrorReply("clock skew");

    /** One answer (a reply, or a failure when {@code reply} is null) and the stand-in it must produce. */
    record Step(NodeId node, Message reply, String failure, NodeId expectedStandIn) {
    }

    enum Ending { SUCCEEDED, FAILED, PENDING }

    /**
     * @param sloppy        whether the write may use stand-ins (the replacement function is given)
     * @param maxTargets    how many nodes the write may reach, stand-ins included
     * @param hadValue      for a success: the result's hadValue
     * @param storageFull   for a failure: the exception's storageFull()
     * @param replacements  how often the replacement function must have been asked
     */
    record Case(String name, int required, List<NodeId> targets, boolean sloppy, int maxTargets, List<Step> steps,
                Ending ending, boolean hadValue, boolean storageFull, int replacements) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                strict("W=2: two acks complete the write", 2,
                        List.of(reply(N1, ACK), reply(N2, ACK)), Ending.SUCCEEDED, false, false),
                strict("W=2: hadValue when any counted ack had a value", 2,
                        List.of(reply(N1, ACK), reply(N3, ACK_HAD_VALUE)), Ending.SUCCEEDED, true, false),
                strict("W=2: an ack of a replica that kept a newer entry counts", 2,
                        List.of(reply(N1, ACK_NEWER_KEPT), reply(N2, ACK)), Ending.SUCCEEDED, true, false),
                strict("W=2: one ack is not enough", 2,
                        List.of(reply(N1, ACK)), Ending.PENDING, false, false),
                strict("W=1: the first ack completes", 1,
                        List.of(reply(N2, ACK)), Ending.SUCCEEDED, false, false),
                strict("W=3: every replica must ack", 3,
                        List.of(reply(N1, ACK), reply(N2, ACK)), Ending.PENDING, false, false),
                strict("W=2: a recovering replica's ack does not count", 2,
                        List.of(reply(N1, ACK), reply(N2, RECOVERING_ACK)), Ending.PENDING, false, false),
                strict("W=2: ... the third replica's ack then completes it", 2,
                        List.of(reply(N1, ACK), reply(N2, RECOVERING_ACK), reply(N3, ACK)), Ending.SUCCEEDED, false, false),
                strict("W=2: a recovering ack's hadValue is not reported", 2,
                        List.of(reply(N2, new WriteReply(true, VERSION, true)), reply(N1, ACK), reply(N3, ACK)),
                        Ending.SUCCEEDED, false, false),
                strict("W=3: a recovering replica fails a write at ALL", 3,
                        List.of(reply(N1, ACK), reply(N2, RECOVERING_ACK)), Ending.FAILED, false, false),
                strict("W=2: two recovering replicas fail it", 2,
                        List.of(reply(N1, RECOVERING_ACK), reply(N2, RECOVERING_ACK)), Ending.FAILED, false, false),
                strict("W=2: failures up to RF - W are tolerated", 2,
                        List.of(failure(N1, "timed out"), reply(N2, ACK), reply(N3, ACK)), Ending.SUCCEEDED, false, false),
                strict("W=2: a second failure fails the write", 2,
                        List.of(reply(N1, ACK), failure(N2, "timed out"), reply(N3, REFUSED)), Ending.FAILED, false, false),
                strict("W=1: two failures are tolerated", 1,
                        List.of(failure(N1, "timed out"), failure(N2, "timed out")), Ending.PENDING, false, false),
                strict("W=1: three failures are not", 1,
                        List.of(failure(N1, "timed out"), failure(N2, "timed out"), failure(N3, "timed out")),
                        Ending.FAILED, false, false),
                strict("W=2: storage full on two replicas fails with storageFull", 2,
                        List.of(reply(N1, FULL), reply(N2, FULL)), Ending.FAILED, false, true),
                strict("W=2: storage full on one replica and a timeout still say storageFull", 2,
                        List.of(failure(N1, "timed out"), reply(N2, FULL)), Ending.FAILED, false, true),
                strict("W=2: other refusals are not storageFull", 2,
                        List.of(reply(N1, REFUSED), failure(N2, "timed out")), Ending.FAILED, false, false),
                strict("W=2: an unexpected reply type is a failure", 2,
                        List.of(reply(N1, ReadReply.MISSING), reply(N2, ReadReply.MISSING)), Ending.FAILED, false, false),
                strict("W=2: after success, later failures change nothing", 2,
                        List.of(reply(N1, ACK), reply(N2, ACK), failure(N3, "timed out")), Ending.SUCCEEDED, false, false),
                // Only two replicas up: no stand-ins while W can still be met by them.
                new Case("W=2 with two up replicas: one failure fails the write, nobody replaces it", 2,
                        List.of(N1, N2), false, 2, List.of(failure(N1, "timed out")), Ending.FAILED, false, false, 0),
                // Sloppy: fewer than W replicas up, stand-ins take part and replace failed targets.
                new Case("sloppy W=2: a stand-in's hint counts and the result is sloppy", 2,
                        List.of(N1, N4), true, 4, List.of(reply(N1, ACK), reply(N4, WriteReply.HINT_KEPT)),
                        Ending.SUCCEEDED, false, false, 0),
                new Case("sloppy W=2: a failed target is replaced by the next stand-in", 2,
                        List.of(N1, N4), true, 4,
                        List.of(failure(N4, "timed out", N5), reply(N1, ACK), reply(N5, WriteReply.HINT_KEPT)),
                        Ending.SUCCEEDED, false, false, 1),
                new Case("sloppy W=2: no stand-in beyond maxTargets", 2,
                        List.of(N1, N4), true, 3,
                        List.of(failure(N4, "timed out", N5), failure(N5, "timed out")),
                        Ending.FAILED, false, false, 1),
                new Case("sloppy W=2: when no stand-in is left the failure counts", 2,
                        List.of(N1, N4, N5), true, 6,
                        List.of(failure(N4, "timed out"), failure(N5, "timed out")),
                        Ending.FAILED, false, false, 2),
                new Case("sloppy W=2: nobody is replaced once the write succeeded", 2,
                        List.of(N1, N4, N5), true, 6,
                        List.of(reply(N1, ACK), reply(N4, WriteReply.HINT_KEPT), failure(N5, "timed out")),
                        Ending.SUCCEEDED, false, false, 0),
                new Case("sloppy W=1: a recovering replica's ack is replaced by a stand-in", 1,
                        List.of(N1), true, 4,
                        List.of(reply(N1, RECOVERING_ACK, N4), reply(N4, WriteReply.HINT_KEPT)),
                        Ending.SUCCEEDED, false, false, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersDecideTheWrite(Case c) {
        List<Set<NodeId>> asked = new ArrayList<>();
        Function<Set<NodeId>, NodeId> replacement = tried -> {
            asked.add(new TreeSet<>(tried));
            return STAND_INS.stream().filter(n -> !tried.contains(n)).findFirst().orElse(null);
        };
        List<ReplicaTarget> targets = c.targets().stream()
                .map(node -> new ReplicaTarget(node, REPLICAS.contains(node) ? null : N2)).toList();
        WriteOperation write = new WriteOperation("write", VERSION, c.required(), targets, c.maxTargets(), c.sloppy());

        for (Step step : c.steps()) {
            Function<Set<NodeId>, NodeId> given = c.sloppy() ? replacement : null;
            NodeId standIn = step.reply() != null
                    ? write.onReply(step.node(), step.reply(), given)
                    : write.onFailure(step.node(), step.failure(), given);
            assertThat(standIn).as("%s: stand-in after %s answered", c, step.node()).isEqualTo(step.expectedStandIn());
        }

        switch (c.ending()) {
            case SUCCEEDED -> {
                assertThat(write.result()).as(c.name()).isCompleted();
                assertThat(write.result().join()).as(c.name()).isEqualTo(new WriteResult(VERSION, c.hadValue(), c.sloppy()));
            }
            case FAILED -> {
                assertThat(write.result()).as(c.name()).isCompletedExceptionally();
                Throwable failure = catchThrowable(() -> write.result().join());
                assertThat(failure).isInstanceOf(CompletionException.class);
                assertThat(failure.getCause()).as(c.name()).isInstanceOf(NotEnoughReplicasException.class);
                NotEnoughReplicasException notEnough = (NotEnoughReplicasException) failure.getCause();
                assertThat(notEnough.storageFull()).as("%s: storageFull", c).isEqualTo(c.storageFull());
                assertThat(notEnough.required()).isEqualTo(c.required());
            }
            case PENDING -> assertThat(write.result()).as(c.name()).isNotDone();
        }
        assertThat(asked).as("%s: stand-ins asked for", c).hasSize(c.replacements());
        // Every request for a stand-in names every node tried so far, the first targets included.
        for (Set<NodeId> tried : asked) {
            assertThat(tried).as(c.name()).containsAll(c.targets());
        }
        if (!c.sloppy()) {
            assertThat(asked).isEmpty();
        }
    }

    private static Case strict(String name, int required, List<Step> steps, Ending ending, boolean hadValue,
                               boolean storageFull) {
        return new Case(name, required, REPLICAS, false, REPLICAS.size(), steps, ending, hadValue, storageFull, 0);
    }

    private static Step reply(NodeId node, Message reply) {
        return new Step(node, reply, null, null);
    }

    private static Step reply(NodeId node, Message reply, NodeId expectedStandIn) {
        return new Step(node, reply, null, expectedStandIn);
    }

    private static Step failure(NodeId node, String reason) {
        return new Step(node, null, reason, null);
    }

    private static Step failure(NodeId node, String reason, NodeId expectedStandIn) {
        return new Step(node, null, reason, expectedStandIn);
    }
}
