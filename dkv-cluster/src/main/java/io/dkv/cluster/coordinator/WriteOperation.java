package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.version.Version;

import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;

/**
 * Collects the answers to one write and completes its future once {@code required} replicas
 * acknowledged, or once so many failed that {@code required} can no longer be reached.
 *
 * <p>Thread-safe: answers may arrive on any thread. The future is completed outside the
 * lock, so callbacks never run while holding it.
 */
final class WriteOperation {

    private final String operation;
    private final Version version;
    private final int required;
    private final int targets;
    private final CompletableFuture<WriteResult> result = new CompletableFuture<>();
    private final StringJoiner failureReasons = new StringJoiner("; ");
    private int acks;
    private int failures;
    private boolean hadValue;
    private boolean decided;

    WriteOperation(String operation, Version version, int required, int targets) {
        this.operation = operation;
        this.version = version;
        this.required = required;
        this.targets = targets;
    }

    CompletableFuture<WriteResult> result() {
        return result;
    }

    void onReply(NodeId node, Message reply) {
        if (reply instanceof WriteReply ack) {
            onAck(ack.hadValue());
        } else if (reply instanceof ErrorReply error) {
            onFailure(node, error.message());
        } else {
            onFailure(node, "unexpected reply " + reply.getClass().getSimpleName());
        }
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
            result.complete(new WriteResult(version, hadValue));
        }
    }

    void onFailure(NodeId node, String reason) {
        NotEnoughReplicasException failure = null;
        synchronized (this) {
            failures++;
            failureReasons.add(node + ": " + reason);
            if (!decided && targets - failures < required) {
                decided = true;
                failure = new NotEnoughReplicasException(operation, acks, required, failureReasons.toString());
            }
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        }
    }
}
