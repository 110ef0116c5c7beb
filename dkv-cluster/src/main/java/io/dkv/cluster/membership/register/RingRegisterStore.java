package io.dkv.cluster.membership.register;

/**
 * Where a node keeps its {@link AcceptorState} across restarts.
 *
 * <p>{@link #save} MUST be durable when it returns (the acceptor answers only after it): an
 * acceptor that promised, crashed and came back without the promise can let two values be
 * chosen for one epoch. A save MUST be atomic: {@link #load} returns either the previous
 * state or the new one, never a mixture. Called on the node's scheduler thread only.
 */
public interface RingRegisterStore {

    /** The last saved state, or {@code null} when nothing was ever saved. */
    AcceptorState load();

    /** Replaces the stored state. */
    void save(AcceptorState state);
}
