package io.dkv.cluster.membership.register;

import io.dkv.core.NodeId;
import io.dkv.core.message.Ballot;
import io.dkv.core.message.Message;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingAccepted;
import io.dkv.core.message.RingCommit;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One proposer run for one epoch: attempts of prepare then accept, each under a higher
 * ballot, until a value is chosen, the epoch turns out to be decided already, or time runs
 * out. An attempt that cannot reach a majority (refusals, timeouts, a higher ballot seen)
 * is retried after a randomized, growing backoff, so duelling proposers stop pre-empting
 * each other (the usual liveness remedy; Paxos stays safe without it).
 *
 * <p>Not thread-safe: every callback hops onto the node's scheduler thread.
 */
final class Proposal {

    private enum Phase { PREPARE, ACCEPT, DONE }

    /** The random part of the backoff grows to at most base x 2^4. */
    static final int MAX_DOUBLINGS = 4;

    private final RingRegister register;
    private final long epoch;
    private final byte[] value;
    private final List<NodeId> acceptors;
    private final int majority;
    private final CompletableFuture<Committed> result;
    private final long deadlineMillis;

    private int attempt;
    private int retries;
    private Phase phase = Phase.PREPARE;
    private Ballot ballot = Ballot.ZERO;
    /** Acceptors that said yes, and no (or nothing), in the current phase: a duplicated answer counts once. */
    private final Set<NodeId> granted = new HashSet<>();
    private final Set<NodeId> refused = new HashSet<>();
    private Ballot highestAccepted = Ballot.ZERO;
    private byte[] chosenValue;

    Proposal(RingRegister register, long epoch, byte[] value, List<NodeId> acceptors,
             CompletableFuture<Committed> result, long deadlineMillis) {
        this.register = register;
        this.epoch = epoch;
        this.value = value;
        this.acceptors = acceptors;
        this.majority = acceptors.size() / 2 + 1;
        this.result = result;
        this.deadlineMillis = deadlineMillis;
    }

    long epoch() {
        return epoch;
    }

    /** Whether the caller has its answer (a fetch may still be deciding it while the phase is over). */
    boolean isDone() {
        return result.isDone();
    }

    /** Starts a new attempt under a ballot above every one seen. */
    void attempt() {
        if (phase == Phase.DONE || concludedElsewhere()) {
            return;
        }
        if (register.parts().clock().monotonicMillis() >= deadlineMillis) {
            fail(new RingProposalFailedException("epoch " + epoch + " not committed: no majority (" + majority + " of "
                    + acceptors.size() + ") of " + acceptors + " answered within "
                    + register.parts().timings().proposeTimeoutMillis() + " ms"));
            return;
        }
        attempt++;
        phase = Phase.PREPARE;
        ballot = new Ballot(register.nextRound(), register.parts().self().number());
        granted.clear();
        refused.clear();
        highestAccepted = Ballot.ZERO;
        chosenValue = value;
        RingPrepare prepare = new RingPrepare(epoch, ballot);
        int thisAttempt = attempt;
        for (NodeId acceptor : acceptors) {
            register.ask(acceptor, prepare).whenComplete((reply, error) -> register.parts().scheduler().execute(
                    () -> onPromise(thisAttempt, acceptor, reply)));
        }
    }

    private void onPromise(int thisAttempt, NodeId acceptor, Message reply) {
        if (thisAttempt != attempt || phase != Phase.PREPARE || concludedElsewhere()) {
            return;
        }
        if (!(reply instanceof RingPromise promise) || !promise.granted()) {
            onRefusal(acceptor, reply instanceof RingPromise promise ? promise.promised() : Ballot.ZERO,
                    reply instanceof RingPromise promise ? promise.committedEpoch() : -1);
            return;
        }
        if (promise.accepted().isAbove(highestAccepted)) {
            highestAccepted = promise.accepted();
            chosenValue = promise.acceptedValue();
        }
        if (granted.add(acceptor) && granted.size() == majority) {
            phase = Phase.ACCEPT;
            granted.clear();
            refused.clear();
            RingAccept accept = new RingAccept(epoch, ballot, chosenValue);
            for (NodeId each : acceptors) {
                register.ask(each, accept).whenComplete((answer, error) -> register.parts().scheduler().execute(
                        () -> onAccepted(thisAttempt, each, answer)));
            }
        }
    }

    private void onAccepted(int thisAttempt, NodeId acceptor, Message reply) {
        if (thisAttempt != attempt || phase != Phase.ACCEPT || concludedElsewhere()) {
            return;
        }
        if (!(reply instanceof RingAccepted accepted) || !accepted.granted()) {
            onRefusal(acceptor, reply instanceof RingAccepted accepted ? accepted.promised() : Ballot.ZERO,
                    reply instanceof RingAccepted accepted ? accepted.committedEpoch() : -1);
            return;
        }
        if (granted.add(acceptor) && granted.size() == majority) {
            decided(new Committed(epoch, chosenValue));
        }
    }

    /**
     * An acceptor said no, or did not answer ({@code committedEpoch} -1): it has decided the
     * epoch already (learn it), is behind (send it our commit), or promised a higher ballot.
     */
    private void onRefusal(NodeId acceptor, Ballot promised, long committedEpoch) {
        register.observeRound(promised.round());
        if (committedEpoch >= epoch) {
            phase = Phase.DONE;
            register.learnFrom(acceptor, committedEpoch).whenComplete((ignored, error) -> {
                if (register.current().epoch() >= epoch) {
                    conclude(register.current());
                } else {
                    phase = Phase.PREPARE;
                    retryLater();
                }
            });
            return;
        }
        if (committedEpoch >= 0 && committedEpoch < epoch - 1) {
            register.announce(register.current(), List.of(acceptor));
        }
        if (refused.add(acceptor) && refused.size() == acceptors.size() - majority + 1) {
            retryLater();
        }
    }

    private void retryLater() {
        int doubling = Math.min(++retries, MAX_DOUBLINGS);
        long base = register.parts().timings().backoffMillis();
        long delay = base + register.parts().random().nextLong(base << doubling);
        attempt++; // answers still on their way belong to no attempt now
        register.parts().scheduler().schedule(delay, this::attempt);
    }

    private void decided(Committed committed) {
        register.install(committed);
        register.announce(committed, acceptors);
        conclude(register.current());
    }

    /** The node installed this epoch (or a later one) by another path: gossip, a commit, a fetch. */
    private boolean concludedElsewhere() {
        if (phase != Phase.DONE && register.current().epoch() >= epoch) {
            conclude(register.current());
            return true;
        }
        return false;
    }

    /**
     * Ends with what the node now has installed: success when it is this proposal's value
     * for this epoch (a rival may have finished it), a conflict otherwise.
     */
    private void conclude(Committed now) {
        phase = Phase.DONE;
        if (now.epoch() == epoch && now.sameValue(value)) {
            result.complete(now);
        } else {
            result.completeExceptionally(new RingConflictException(epoch, now));
        }
    }

    private void fail(RuntimeException error) {
        phase = Phase.DONE;
        result.completeExceptionally(error);
    }
}
