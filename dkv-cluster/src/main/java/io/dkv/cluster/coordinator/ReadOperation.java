package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Collects the answers to one read. Completes its future with the newest entry among the
 * first {@code required} answers (or fails once that many can no longer come), then keeps
 * listening until every target answered or failed, and hands the full picture to
 * {@code onAllAnswered} so stale replicas can be repaired. A target that fails may be
 * replaced by a stand-in while answers are still needed.
 *
 * <p>Thread-safe: answers may arrive on any thread; futures and callbacks run outside the lock.
 */
final class ReadOperation {

    private final int required;
    private final int maxTargets;
    private final Consumer<ReadOperation> onAllAnswered;
    private final CompletableFuture<Entry> result = new CompletableFuture<>();
    private final List<ReplicaTarget> targets;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Boolean> answered = new ArrayList<>();
    private final Set<NodeId> tried = new HashSet<>();
    private final StringJoiner failureReasons = new StringJoiner("; ");
    private int answers;
    private int failures;
    private Entry newest;
    private boolean decided;

    ReadOperation(List<ReplicaTarget> targets, int required, int maxTargets, Consumer<ReadOperation> onAllAnswered) {
        this.targets = new ArrayList<>(targets);
        this.required = required;
        this.maxTargets = maxTargets;
        this.onAllAnswered = onAllAnswered;
        for (ReplicaTarget target : targets) {
            entries.add(null);
            answered.add(false);
            tried.add(target.node());
        }
    }

    CompletableFuture<Entry> result() {
        return result;
    }

    void onReply(int target, Message reply) {
        if (reply instanceof ReadReply read) {
            onEntry(target, read.entry());
        } else if (reply instanceof ErrorReply error) {
            onFailure(target, error.message(), null);
        } else {
            onFailure(target, "unexpected reply " + reply.getClass().getSimpleName(), null);
        }
    }

    private void onEntry(int target, Entry entry) {
        boolean succeed;
        boolean finished;
        Entry answer;
        synchronized (this) {
            entries.set(target, entry);
            answered.set(target, true);
            answers++;
            newest = Entry.newer(newest, entry);
            succeed = !decided && answers >= required;
            decided |= succeed;
            answer = newest;
            finished = answers + failures == targets.size();
        }
        if (succeed) {
            result.complete(answer);
        }
        if (finished) {
            onAllAnswered.accept(this);
        }
    }

    /**
     * Records a target's failure. While the read still needs answers, {@code replacement}
     * picks a stand-in (given every node tried so far).
     *
     * @return the new target's index and node, or {@code null} when none is added
     */
    StandIn onFailure(int target, String reason, Function<Set<NodeId>, NodeId> replacement) {
        NotEnoughReplicasException failure = null;
        StandIn standIn = null;
        boolean finished;
        synchronized (this) {
            failures++;
            ReplicaTarget failed = targets.get(target);
            failureReasons.add(failed.node() + ": " + reason);
            if (!decided && replacement != null && targets.size() < maxTargets) {
                NodeId node = replacement.apply(tried);
                if (node != null) {
                    ReplicaTarget added = new ReplicaTarget(node, failed.isStandIn() ? failed.hintFor() : failed.node());
                    tried.add(node);
                    targets.add(added);
                    entries.add(null);
                    answered.add(false);
                    standIn = new StandIn(targets.size() - 1, added);
                }
            }
            if (!decided && targets.size() - failures < required) {
                decided = true;
                failure = new NotEnoughReplicasException("read", answers, required, failureReasons.toString());
            }
            finished = answers + failures == targets.size();
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        }
        if (finished) {
            onAllAnswered.accept(this);
        }
        return standIn;
    }

    /** A stand-in added to the read: where it sits among the targets, and whom it stands in for. */
    record StandIn(int index, ReplicaTarget target) {
    }

    /** The newest entry any target returned; call once all answered. */
    synchronized Entry newest() {
        return newest;
    }

    /** Targets that answered with something older than (or missing next to) the newest entry. */
    synchronized List<ReplicaTarget> staleTargets() {
        List<ReplicaTarget> stale = new ArrayList<>();
        if (newest == null) {
            return stale;
        }
        for (int i = 0; i < targets.size(); i++) {
            if (answered.get(i) && !Objects.equals(entries.get(i), newest)) {
                stale.add(targets.get(i));
            }
        }
        return stale;
    }
}
