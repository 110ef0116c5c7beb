package io.dkv.cluster.membership.register;

import io.dkv.core.DkvException;

/**
 * A proposal lost: the epoch it wanted was committed with another value (by a concurrent
 * proposer, or before this node heard of it). The node has installed {@link #current()};
 * the caller recomputes its change on top of it and proposes again from its epoch.
 */
public final class RingConflictException extends DkvException {

    private final long wantedEpoch;
    private final Committed current;

    public RingConflictException(long wantedEpoch, Committed current) {
        super("conflict: epoch " + wantedEpoch + " already committed"
                + (current.epoch() == wantedEpoch ? " as another value" : "; this node now has " + current));
        this.wantedEpoch = wantedEpoch;
        this.current = current;
    }

    /** The epoch the failed proposal would have created. */
    public long wantedEpoch() {
        return wantedEpoch;
    }

    /** The newest ring this node has installed, at least {@link #wantedEpoch()}. */
    public Committed current() {
        return current;
    }
}
