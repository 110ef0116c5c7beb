package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Collects the answers to one write and completes its future once {@code required} replicas
 * acknowledged, or once so many failed that {@code required} can no longer be reached. A
 * recovering replica applies the write but its ack does not count (it may lack earlier
 * writes); the coordinator decides beforehand whether stand-ins take part (only when too few
 * replicas are up) and whether a failed target may be replaced.
 *
 * <p>While the key's partition moves to other replicas (a ring change), the write needs
 * {@code required} acks from the current replicas and {@code required} from the next ones:
 * a node in both counts for both, one only gaining the partition counts for the next set
 * only (Cassandra's pending ranges). Stand-ins count for the current set only.
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
    private final List<ReplicaTarget> firstTargets;
    /** Every node tried so far, built at the first failure that may look for a stand-in; guarded by this. */
    private Set<NodeId> tried;
    private int targets;
    private final Set<NodeId> next;
    private final Set<NodeId> incomingOnly;
    private int nextTargets;
    private int nextAcks;
    private int nextFailures;
    private long newerEpoch;
    private final CompletableFuture<WriteResult> result = new CompletableFuture<>();
    private final FailureReasons failureReasons = new FailureReasons();
    private int acks;
    private int failures;
    private int fullReplicas;
    private boolean hadValue;
    private boolean decided;

    /**
     * @param targets    the nodes the write is first sent to (kept, not copied: the caller must not change the list)
     * @param maxTargets how many nodes it may reach in all, stand-ins for failed ones included
     */
    WriteOperation(String operation, Version version, int required, List<ReplicaTarget> targets, int maxTargets,
                   boolean sloppy) {
        this(operation, version, required, targets, maxTargets, sloppy, null, Set.of());
    }

    /**
     * @param next         the partition's next replicas while it moves, else {@code null}
     * @param incomingOnly the targets that are next replicas but not current ones: their acks
     *                     count for the next set only
     */
    WriteOperation(String operation, Version version, int required, List<ReplicaTarget> targets, int maxTargets,
                   boolean sloppy, Set<NodeId> next, Set<NodeId> incomingOnly) {
        this.operation = operation;
        this.sloppy = sloppy;
        this.version = version;
        this.required = required;
        this.next = next;
        this.incomingOnly = incomingOnly;
        this.maxTargets = maxTargets;
        this.firstTargets = targets;
        for (ReplicaTarget target : targets) {
            if (!incomingOnly.contains(target.node())) {
                this.targets++;
            }
            if (countsForNext(target)) {
                nextTargets++;
            }
        }
    }

    private boolean countsForNext(ReplicaTarget target) {
        return next != null && !target.isStandIn() && next.contains(target.node());
    }

    private boolean countsForNext(NodeId node) {
        return next != null && next.contains(node) && !standIns.contains(node);
    }

    /**
     * The stand-ins taken on after failures; guarded by this. Both sets start empty and
     * unallocated: a write that meets no failure (nearly all) never needs them.
     */
    private Set<NodeId> standIns = Set.of();

    /** The highest ring epoch a replica refused this write with ({@link NotMine}), or 0. */
    synchronized long newerEpoch() {
        return newerEpoch;
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
            onAck(node, ack.hadValue());
            return null;
        }
        if (reply instanceof NotMine notMine) {
            synchronized (this) {
                newerEpoch = Math.max(newerEpoch, notMine.epoch());
            }
            return onFailure(node, "not a replica at epoch " + notMine.epoch() + ": " + notMine.reason(), replacement);
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

    private void onAck(NodeId node, boolean replicaHadValue) {
        boolean succeed;
        synchronized (this) {
            if (!incomingOnly.contains(node)) {
                acks++;
            }
            if (countsForNext(node)) {
                nextAcks++;
            }
            hadValue |= replicaHadValue;
            succeed = !decided && acks >= required && (next == null || nextAcks >= required);
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
            if (!incomingOnly.contains(node)) {
                failures++;
            }
            if (countsForNext(node)) {
                nextFailures++;
            }
            failureReasons.add(node, reason);
            if (!decided && replacement != null && targets < maxTargets && !incomingOnly.contains(node)) {
                standIn = replacement.apply(tried());
                if (standIn != null) {
                    tried.add(standIn);
                    if (standIns.isEmpty()) {
                        standIns = new HashSet<>();
                    }
                    standIns.add(standIn);
                    targets++;
                }
            }
            if (!decided && (targets - failures < required || (next != null && nextTargets - nextFailures < required))) {
                decided = true;
                failure = new NotEnoughReplicasException(operation, acks, required, failureReasons.toString(), fullReplicas > 0);
            }
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        }
        return standIn;
    }

    private Set<NodeId> tried() {
        if (tried == null) {
            tried = new HashSet<>();
            for (ReplicaTarget target : firstTargets) {
                tried.add(target.node());
            }
        }
        return tried;
    }
}
