package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Collects the answers to one read. Completes its future with the newest entry among the
 * first {@code required} answers (or fails once that many can no longer come), then keeps
 * listening until every target answered or failed, and hands the full picture to
 * {@code onAllAnswered} so stale replicas can be repaired.
 *
 * <p>Thread-safe: answers may arrive on any thread; futures and callbacks run outside the lock.
 */
final class ReadOperation {

    private final List<ReplicaTarget> targets;
    private final int required;
    private final Consumer<ReadOperation> onAllAnswered;
    private final CompletableFuture<Entry> result = new CompletableFuture<>();
    private final Entry[] entries;
    private final boolean[] answered;
    private final StringJoiner failureReasons = new StringJoiner("; ");
    private int answers;
    private int failures;
    private Entry newest;
    private boolean decided;

    ReadOperation(List<ReplicaTarget> targets, int required, Consumer<ReadOperation> onAllAnswered) {
        this.targets = targets;
        this.required = required;
        this.onAllAnswered = onAllAnswered;
        this.entries = new Entry[targets.size()];
        this.answered = new boolean[targets.size()];
    }

    CompletableFuture<Entry> result() {
        return result;
    }

    void onReply(int target, Message reply) {
        if (reply instanceof ReadReply read) {
            onEntry(target, read.entry());
        } else if (reply instanceof ErrorReply error) {
            onFailure(target, error.message());
        } else {
            onFailure(target, "unexpected reply " + reply.getClass().getSimpleName());
        }
    }

    private void onEntry(int target, Entry entry) {
        boolean succeed;
        boolean finished;
        Entry answer;
        synchronized (this) {
            entries[target] = entry;
            answered[target] = true;
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

    void onFailure(int target, String reason) {
        NotEnoughReplicasException failure = null;
        boolean finished;
        synchronized (this) {
            failures++;
            failureReasons.add(targets.get(target).node() + ": " + reason);
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
        for (int i = 0; i < entries.length; i++) {
            if (answered[i] && !Objects.equals(entries[i], newest)) {
                stale.add(targets.get(i));
            }
        }
        return stale;
    }
}
