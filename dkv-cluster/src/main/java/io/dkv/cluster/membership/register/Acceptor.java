package io.dkv.cluster.membership.register;

import io.dkv.core.message.Ballot;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingAccepted;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;

import java.util.Objects;

/**
 * The acceptor half of single-decree Paxos, one slot at a time: it votes only on the epoch
 * after the newest one it has committed (Lamport, "Paxos Made Simple", 2001, section 2.2).
 *
 * <ul>
 *   <li>A prepare or accept for an epoch it has committed already is refused with its
 *       committed epoch: the slot is decided, and the proposer fetches the decision.</li>
 *   <li>One for an epoch beyond the next is refused too: the acceptor is behind and must
 *       install the missing commit first. It must not forget its votes for its own next slot
 *       before it knows that slot's decision, or a later proposer for that slot could find
 *       no trace of the chosen value.</li>
 *   <li>For the next slot: it promises a ballot at least as high as any promised (equal, so
 *       a duplicated prepare is answered alike) and accepts a value under a ballot at least
 *       as high as its promise.</li>
 * </ul>
 * Every change is saved to the {@link RingRegisterStore} before the answer is returned.
 * Installing a newer commit clears the votes: the slot they were for is decided.
 *
 * <p>Not thread-safe: confined to the node's scheduler thread.
 */
final class Acceptor {

    private static final byte[] NOTHING = new byte[0];

    private final RingRegisterStore store;
    private AcceptorState state;

    /** Resumes from the store, or starts at {@code genesis} when the store is empty or older. */
    Acceptor(RingRegisterStore store, Committed genesis) {
        this.store = Objects.requireNonNull(store, "store");
        AcceptorState stored = store.load();
        this.state = stored != null && stored.committed().epoch() >= genesis.epoch() ? stored : AcceptorState.at(genesis);
    }

    AcceptorState state() {
        return state;
    }

    Committed committed() {
        return state.committed();
    }

    RingPromise onPrepare(RingPrepare prepare) {
        if (prepare.epoch() != state.nextEpoch()) {
            return new RingPromise(prepare.epoch(), false, Ballot.ZERO, Ballot.ZERO, NOTHING, state.committed().epoch());
        }
        if (prepare.ballot().compareTo(state.promised()) < 0) {
            return new RingPromise(prepare.epoch(), false, state.promised(), Ballot.ZERO, NOTHING,
                    state.committed().epoch());
        }
        if (prepare.ballot().isAbove(state.promised())) {
            save(new AcceptorState(state.committed(), prepare.ballot(), state.accepted(), state.acceptedValue()));
        }
        return new RingPromise(prepare.epoch(), true, state.promised(), state.accepted(), state.acceptedValue(),
                state.committed().epoch());
    }

    RingAccepted onAccept(RingAccept accept) {
        if (accept.epoch() != state.nextEpoch()) {
            return new RingAccepted(accept.epoch(), false, Ballot.ZERO, state.committed().epoch());
        }
        if (accept.ballot().compareTo(state.promised()) < 0) {
            return new RingAccepted(accept.epoch(), false, state.promised(), state.committed().epoch());
        }
        save(new AcceptorState(state.committed(), accept.ballot(), accept.ballot(), accept.value()));
        return new RingAccepted(accept.epoch(), true, accept.ballot(), state.committed().epoch());
    }

    /** Installs a commit newer than the newest known; returns whether it was newer. */
    boolean install(Committed committed) {
        if (committed.epoch() <= state.committed().epoch()) {
            return false;
        }
        save(AcceptorState.at(committed));
        return true;
    }

    private void save(AcceptorState next) {
        store.save(next);
        state = next;
    }
}
