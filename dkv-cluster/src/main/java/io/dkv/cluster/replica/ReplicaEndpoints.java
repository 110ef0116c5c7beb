package io.dkv.cluster.replica;

import io.dkv.cluster.runtime.RequestAnswers;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadRequest;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Every node of the cluster as a replica a request can go to: this node answers in place,
 * the others over the transport. Which is which is decided once, here, so that callers never
 * ask "is this target me?" (Voldemort's StorageService builds its node stores the same way).
 *
 * <p>Thread-safe and immutable after construction.
 */
public final class ReplicaEndpoints {

    private final NodeId self;
    private final LocalReplica local;
    private final Transport transport;
    private final long timeoutMillis;
    private final UnaryOperator<Message> peerReplies;

    public ReplicaEndpoints(NodeId self, LocalReplica local, Transport transport, long timeoutMillis) {
        this(self, local, transport, timeoutMillis, UnaryOperator.identity());
    }

    /**
     * @param peerReplies how a peer's reply to a read must be seen here (this node's store applies its
     *                    own rules; a peer's answer may predate them, e.g. a flush it has not
     *                    heard of yet)
     */
    public ReplicaEndpoints(NodeId self, LocalReplica local, Transport transport, long timeoutMillis,
                            UnaryOperator<Message> peerReplies) {
        this.self = self;
        this.local = local;
        this.transport = transport;
        this.timeoutMillis = timeoutMillis;
        this.peerReplies = peerReplies;
    }

    /**
     * Sends a read or write to {@code node}. This node answers synchronously (the future is
     * already complete, so callbacks run at once on the calling thread: no hop), except for
     * a write waiting for a shared fsync ({@code sync: always}); a peer's future completes
     * with its reply or fails with a {@code PeerUnavailableException}.
     */
    public CompletableFuture<Message> request(NodeId node, Message request) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        request(node, request, Transport.completing(reply));
        return reply;
    }

    /**
     * Sends a read or write to {@code node} as {@link #request(NodeId, Message)} does, handing
     * the outcome to {@code answer} ({@link Transport#request(NodeId, Message, long, BiConsumer)})
     * rather than completing a future: this node's answer arrives before this returns, except
     * for a write waiting for a shared fsync.
     */
    public void request(NodeId node, Message request, BiConsumer<Message, Throwable> answer) {
        if (node.equals(self)) {
            local.answer(request, reply -> RequestAnswers.deliver(answer, reply, null, self));
        } else if (request instanceof ReadRequest) {
            transport.request(node, request, timeoutMillis, (reply, failure) -> answerPeerRead(answer, reply, failure));
        } else {
            transport.request(node, request, timeoutMillis, answer);
        }
    }

    /** A peer's answer to a read, seen as this node must see it; a reply that cannot be is a failure of that peer. */
    private void answerPeerRead(BiConsumer<Message, Throwable> answer, Message reply, Throwable failure) {
        if (failure != null) {
            answer.accept(null, failure);
            return;
        }
        Message seen;
        try {
            seen = peerReplies.apply(reply);
        } catch (RuntimeException e) {
            answer.accept(null, e);
            return;
        }
        answer.accept(seen, null);
    }

    public NodeId self() {
        return self;
    }

    public LocalReplica local() {
        return local;
    }
}
