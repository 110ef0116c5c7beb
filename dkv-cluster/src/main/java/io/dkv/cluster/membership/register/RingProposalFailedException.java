package io.dkv.cluster.membership.register;

import io.dkv.core.DkvException;

/**
 * A proposal could not get a majority of the acceptors to answer in time (this node is on
 * the minority side of a partition, or too many members are down), or was not made at all.
 * Nothing is known to be committed; the ring may still change if a later proposer finishes
 * what this one started, so the caller re-reads {@link RingRegister#current()} before retrying.
 */
public final class RingProposalFailedException extends DkvException {

    public RingProposalFailedException(String message) {
        super(message);
    }
}
