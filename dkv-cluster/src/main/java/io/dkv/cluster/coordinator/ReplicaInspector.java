package io.dkv.cluster.coordinator;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.core.NodeId;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.ring.Ring;

import java.util.function.Supplier;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks each of a key's replicas (its own preference list, not stand-ins) what it holds,
 * for operators: {@code dkv replicas KEY}. Read-only: repairs nothing.
 */
public final class ReplicaInspector {

    private final NodeId self;
    private final Supplier<Ring> ring;
    private final ReplicaEndpoints endpoints;
    private final LivenessView liveness;

    /** @param ring the ring in force, read once per inspection */
    public ReplicaInspector(Supplier<Ring> ring, ReplicaEndpoints endpoints, LivenessView liveness) {
        this.self = endpoints.self();
        this.ring = ring;
        this.endpoints = endpoints;
        this.liveness = liveness;
    }

    public CompletableFuture<List<ReplicaView>> inspect(byte[] key) {
        Ring ring = this.ring.get();
        int partition = ring.partitionOf(key);
        ReadRequest request = new ReadRequest(partition, key);
        List<CompletableFuture<ReplicaView>> views = new ArrayList<>();
        for (NodeId replica : ring.replicas(partition)) {
            boolean up = replica.equals(self) || liveness.isUp(replica);
            if (replica.equals(self)) {
                // Its own entry even while recovering: operators want to see what it holds.
                views.add(CompletableFuture.completedFuture(
                        new ReplicaView(replica, true, endpoints.local().lookup(partition, key), null)));
                continue;
            }
            views.add(endpoints.request(replica, request).handle((reply, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    String reason = cause instanceof PeerUnavailableException unavailable ? unavailable.reason() : cause.getMessage();
                    return new ReplicaView(replica, up, null, reason);
                }
                if (reply instanceof ReadReply read) {
                    return new ReplicaView(replica, up, read.entry(), null);
                }
                String reason = reply instanceof ErrorReply err ? err.message() : "unexpected " + reply.getClass().getSimpleName();
                return new ReplicaView(replica, up, null, reason);
            }));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                .thenApply(done -> views.stream().map(CompletableFuture::join).toList());
    }
}
