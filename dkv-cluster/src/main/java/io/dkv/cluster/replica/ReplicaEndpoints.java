package io.dkv.cluster.replica;

import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.concurrent.CompletableFuture;

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

    public ReplicaEndpoints(NodeId self, LocalReplica local, Transport transport, long timeoutMillis) {
        this.self = self;
        this.local = local;
        this.transport = transport;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Sends a read or write to {@code node}. This node answers synchronously (the future is
     * already complete, so callbacks run at once on the calling thread: no hop), except for
     * a write waiting for a shared fsync ({@code sync: always}); a peer's future completes
     * with its reply or fails with a {@code PeerUnavailableException}.
     */
    public CompletableFuture<Message> request(NodeId node, Message request) {
        if (node.equals(self)) {
            CompletableFuture<Message> answer = new CompletableFuture<>();
            local.answer(request, answer::complete);
            return answer;
        }
        return transport.request(node, request, timeoutMillis);
    }

    public NodeId self() {
        return self;
    }

    public LocalReplica local() {
        return local;
    }
}
