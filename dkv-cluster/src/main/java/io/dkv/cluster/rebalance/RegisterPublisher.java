package io.dkv.cluster.rebalance;

import io.dkv.cluster.membership.register.RingConflictException;
import io.dkv.cluster.membership.register.RingRegister;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Commits a ring change's states through the node's epoch register: Paxos among the members
 * of the state before, so that two changes proposed at once, or on both sides of a network
 * partition, can never both take an epoch. A proposal that loses completes with the state
 * that won (the change then fails, see {@link RingChange}).
 */
public final class RegisterPublisher implements RingChange.Publisher {

    private final RingRegister register;

    public RegisterPublisher(RingRegister register) {
        this.register = register;
    }

    @Override
    public CompletableFuture<RingState> publish(RingState proposed) {
        return register.propose(proposed.epoch() - 1, RingStateCodec.encode(proposed))
                .thenApply(committed -> RingStateCodec.decode(committed.value()))
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof RingConflictException conflict
                            && conflict.current().epoch() == proposed.epoch()) {
                        return CompletableFuture.completedFuture(RingStateCodec.decode(conflict.current().value()));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }
}
