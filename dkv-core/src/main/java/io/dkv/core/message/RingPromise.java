package io.dkv.core.message;

import java.util.Objects;

/**
 * Paxos phase 1b, the answer to a {@link RingPrepare}.
 *
 * @param epoch          the epoch asked about
 * @param granted        whether the acceptor promised
 * @param promised       the highest ballot the acceptor has promised for {@code epoch} (the
 *                       asked ballot when granted); {@link Ballot#ZERO} when it could not
 *                       take part (it has committed {@code epoch} already, or is behind)
 * @param accepted       the ballot of the value it accepted for {@code epoch}, or {@link Ballot#ZERO}
 * @param acceptedValue  that value; empty when {@code accepted} is zero
 * @param committedEpoch the highest epoch the acceptor has committed: at least {@code epoch}
 *                       means the slot is decided, below {@code epoch - 1} means the acceptor
 *                       must catch up first
 */
public record RingPromise(long epoch, boolean granted, Ballot promised, Ballot accepted, byte[] acceptedValue,
                          long committedEpoch) implements RingMessage {

    public RingPromise {
        Objects.requireNonNull(promised, "promised");
        Objects.requireNonNull(accepted, "accepted");
        Objects.requireNonNull(acceptedValue, "acceptedValue");
    }
}
