package io.dkv.cluster.membership.register;

import io.dkv.core.message.Ballot;

import java.util.Objects;

/**
 * What an acceptor must not forget across a restart: the newest committed ring, and for the
 * next slot (epoch {@code committed.epoch() + 1}) the highest ballot it promised and the
 * ballot and value it accepted. Forgetting a promise or an acceptance would let two
 * proposers both believe they won the same slot.
 *
 * @param committed     the newest committed ring this node knows
 * @param promised      the highest ballot promised for the next slot, or {@link Ballot#ZERO}
 * @param accepted      the ballot of the value accepted for the next slot, or {@link Ballot#ZERO}
 * @param acceptedValue that value; empty when nothing was accepted
 */
public record AcceptorState(Committed committed, Ballot promised, Ballot accepted, byte[] acceptedValue) {

    private static final byte[] NONE = new byte[0];

    public AcceptorState {
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(promised, "promised");
        Objects.requireNonNull(accepted, "accepted");
        Objects.requireNonNull(acceptedValue, "acceptedValue");
        if (accepted.isAbove(promised)) {
            throw new IllegalArgumentException("accepted ballot " + accepted + " above promised " + promised);
        }
    }

    /** A fresh acceptor that knows only {@code committed} and has promised nothing for the next slot. */
    public static AcceptorState at(Committed committed) {
        return new AcceptorState(committed, Ballot.ZERO, Ballot.ZERO, NONE);
    }

    /** The slot this acceptor votes on. */
    public long nextEpoch() {
        return committed.epoch() + 1;
    }
}
