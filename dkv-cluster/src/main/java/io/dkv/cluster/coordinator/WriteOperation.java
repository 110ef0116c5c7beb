package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Collects the answers to one write and completes its future once {@code required} replicas
 * acknowledged, or once so many failed that {@code required} can no longer be reached. A
 * recovering replica applies the write but its ack does not count (it may lack earlier
 * writes); the coordinator decides beforehand whether stand-ins take part (only when too few
 * replicas are up) and whether a failed target may be replaced.
 *
 * <p>Thread-safe: answers may arrive on any thread. The future is completed outside the
 * lock, so callbacks never run while holding it.
 */
final class WriteOperation {

    private final String operation;
    private final Version version;
    private final boolean sloppy;
    private final int required;
    private final int maxTargets;
    private final Set<NodeId> tried = new HashSet<>();
    private int targets;
    private final CompletableFuture<WriteResult> result = new CompletableFuture<>();
    private final StringJoiner failureReasons = new StringJoiner("; ");
    private int acks;
    private int failures;
    private int fullReplicas;
    private boolean hadValue;
    private boolean decided;

    /**
     * @param targets    the nodes the write is first sent to
     * @param maxTargets how many nodes it may reach in all, stand-ins for failed ones included
     */
    WriteOperation(String operation, Version version, int required, List<ReplicaTarget> targets, int maxTargets,
                   boolean sloppy) {
        this.operation = operation;
        this.sloppy = sloppy;
        this.version = version;
        this.required = required;
        this.targets = targets.size();
        this.maxTargets = maxTargets;
        targets.forEach(target -> tried.add(target.node()));
    }

    CompletableFuture<WriteResult> result() {
        return result;
    }

    void onReply(NodeId node, Message reply) {
        onReply(node, reply, null);
    }

    /**
     * Records a target's answer; a refusal counts as a failure, and a recovering replica's
     * ack counts as neither (but the target needs no hint: it applied the write).
     *
     * @return as {@link #onFailure(NodeId, String, Function)}: a stand-in to try next, or {@code null}
     */
    NodeId onReply(NodeId node, Message reply, Function<Set<NodeId>, NodeId> replacement) {
        if (reply instanceof WriteReply ack && !ack.recovering()) {
            onAck(ack.hadValue());
            return null;
        }
        if (reply instanceof WriteReply) {
            return onFailure(node, "recovering (applied, but does not count yet)", replacement);
        }
        if (reply instanceof ErrorReply error) {
            if (error.storageFull()) {
                synchronized (this) {
                    fullReplicas++;
                }
            }
            return onFailure(node, error.message(), replacement);
        }
        return onFailure(node, "unexpected reply " + reply.getClass().getSimpleName(), replacement);
    }

    private void onAck(boolean replicaHadValue) {
        boolean succeed;
        synchronized (this) {
            acks++;
            hadValue |= replicaHadValue;
            succeed = !decided && acks >= required;
            decided |= succeed;
        }
        if (succeed) {
            result.complete(new WriteResult(version, hadValue, sloppy));
        }
    }

    /**
     * Records a target's failure. While the write still needs answers, {@code replacement}
     * picks a stand-in (given every node tried so far) and the write goes on there: a
     * sloppy quorum that does not wait for the failure detector.
     *
     * @return the stand-in to send the write to, or {@code null}
     */
    NodeId onFailure(NodeId node, String reason, Function<Set<NodeId>, NodeId> replacement) {
        NotEnoughReplicasException failure = null;
        NodeId standIn = null;
        synchronized (this) {
            failures++;
            failureReasons.add(node + ": " + reason);
            if (!decided && replacement != null && targets < maxTargets) {
                standIn = replacement.apply(tried);
                if (standIn != null) {
                    tried.add(standIn);
                    targets++;
                }
            }
            if (!decided && targets - failures < required) {
                decided = true;
                failure = new NotEnoughReplicasException(operation, acks, required, failureReasons.toString(), fullReplicas > 0);
            }
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        }
        return standIn;
    }
}
