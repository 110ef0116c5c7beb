package io.dkv.core.message;

import java.util.Objects;

/**
 * Paxos phase 2b, the answer to a {@link RingAccept}.
 *
 * @param granted        whether the acceptor accepted
 * @param promised       the highest ballot it has promised for {@code epoch}
 * @param committedEpoch the highest epoch it has committed (see {@link RingPromise})
 */
public record RingAccepted(long epoch, boolean granted, Ballot promised, long committedEpoch) implements RingMessage {

    public RingAccepted {
        Objects.requireNonNull(promised, "promised");
    }
}
