package io.dkv.cluster.membership.register;

import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingCommit;
import io.dkv.core.message.RingFetch;
import io.dkv.core.message.RingMessage;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A node's view of the ring's epochs: the newest committed ring it knows ({@link #current}),
 * a way to commit the next one ({@link #propose}) and a callback when a newer one is
 * installed ({@link #onInstalled}). The value is opaque bytes; {@code membersOf} tells the
 * register which nodes a value makes members, and so which nodes vote on the epoch after it.
 *
 * <p>How it works. Each epoch is one slot of single-decree Paxos. To go from committed epoch
 * E to E + 1 a proposer asks the members of E's ring, the acceptors, to promise a ballot
 * (phase 1), adopts the value of the highest ballot any of them accepted or else its own,
 * and asks them to accept it (phase 2). Once a majority accepted, the value is chosen: no
 * other value can ever be chosen for E + 1, because any two majorities of E's members
 * share a node that remembers (Lamport, "Paxos Made Simple"). A compare-and-set spread by
 * gossip cannot give that: both sides of a partition would each "win" epoch E + 1.
 * Committed values travel twice: the proposer sends the commit to every member, and every
 * node's gossip carries its committed epoch, so a node that hears of a higher one fetches
 * it from that peer ({@link #onEpochSeen}). Epochs only move forward; skipping is fine.
 *
 * <p>Threading: all state is confined to the node's scheduler thread. {@link #propose},
 * {@link #onRequest} and {@link #onMessage} may be called from any thread and hop onto it;
 * {@link #current} reads a volatile snapshot. Install listeners run on the scheduler thread.
 */
public final class RingRegister {

    private static final Logger log = LoggerFactory.getLogger(RingRegister.class);

    /**
     * What a register is built from.
     *
     * @param self      this node
     * @param genesis   the ring every node starts from (the cluster's initial configuration)
     * @param membersOf the nodes a committed value makes members: the acceptors of the next epoch
     * @param store     where the acceptor's state survives restarts
     * @param timings   timeouts and backoff
     */
    public record Parts(NodeId self, Committed genesis, Function<byte[], List<NodeId>> membersOf,
                        RingRegisterStore store, Transport transport, Scheduler scheduler, Clock clock,
                        RandomGenerator random, RegisterTimings timings) {

        public Parts {
            Objects.requireNonNull(self, "self");
            Objects.requireNonNull(genesis, "genesis");
            Objects.requireNonNull(membersOf, "membersOf");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(timings, "timings");
        }
    }

    private final Parts parts;
    private final Acceptor acceptor;
    private final List<Consumer<Committed>> listeners = new CopyOnWriteArrayList<>();
    private volatile Committed current;
    /** The highest ballot round seen in any answer; a new attempt goes above it. */
    private long highestRound;
    /** The epoch a fetch in flight was started for; 0 when none is. */
    private long fetching;
    private Proposal proposal;

    public RingRegister(Parts parts) {
        this.parts = Objects.requireNonNull(parts, "parts");
        this.acceptor = new Acceptor(parts.store(), parts.genesis());
        this.current = acceptor.committed();
        this.highestRound = acceptor.state().promised().round();
    }

    /** The newest committed ring this node knows; any thread. */
    public Committed current() {
        return current;
    }

    /** Runs {@code listener} on the scheduler thread with every newer ring installed. */
    public void onInstalled(Consumer<Committed> listener) {
        listeners.add(listener);
    }

    /**
     * Proposes {@code value} as the ring of epoch {@code fromEpoch + 1}. Completes with the
     * committed ring when a majority of {@code fromEpoch}'s members accepted it; fails with
     * {@link RingConflictException} when that epoch was committed with another value (the
     * node then has it installed: recompute the change on top of it and propose again), and
     * with {@link RingProposalFailedException} when no majority answered within the
     * proposal timeout, this node does not know {@code fromEpoch}, is not one of its
     * members, or is already proposing. Any thread.
     */
    public CompletableFuture<Committed> propose(long fromEpoch, byte[] value) {
        Objects.requireNonNull(value, "value");
        CompletableFuture<Committed> result = new CompletableFuture<>();
        parts.scheduler().execute(() -> startProposal(fromEpoch, value, result));
        return result;
    }

    private void startProposal(long fromEpoch, byte[] value, CompletableFuture<Committed> result) {
        Committed known = current;
        if (known.epoch() > fromEpoch) {
            result.completeExceptionally(new RingConflictException(fromEpoch + 1, known));
        } else if (known.epoch() < fromEpoch) {
            result.completeExceptionally(new RingProposalFailedException("cannot propose from epoch " + fromEpoch
                    + ": " + parts.self() + " knows only epoch " + known.epoch()));
        } else if (proposal != null && !proposal.isDone()) {
            result.completeExceptionally(new RingProposalFailedException(parts.self()
                    + " is already proposing epoch " + proposal.epoch()));
        } else {
            List<NodeId> acceptors = List.copyOf(parts.membersOf().apply(known.value()));
            if (!acceptors.contains(parts.self())) {
                // A member's own acceptor saves each ballot it proposes under before anyone can
                // accept it, so after a restart it never reuses one; a non-member could.
                result.completeExceptionally(new RingProposalFailedException(parts.self()
                        + " is not a member of the ring of epoch " + known.epoch()
                        + ": only its members " + acceptors + " propose the next one"));
                return;
            }
            proposal = new Proposal(this, known.epoch() + 1, value, acceptors, result,
                    parts.clock().monotonicMillis() + parts.timings().proposeTimeoutMillis());
            proposal.attempt();
        }
    }

    /** A request from a peer (prepare, accept or fetch); any thread. */
    public void onRequest(NodeId from, RingMessage request, Consumer<Message> reply) {
        parts.scheduler().execute(() -> reply.accept(safeAnswer(from, request)));
    }

    /** {@link #answer}, with a failure (e.g. the store could not save) turned into an error reply: a refusal. */
    private Message safeAnswer(NodeId from, RingMessage request) {
        try {
            return answer(from, request);
        } catch (RuntimeException e) {
            log.error("{} could not answer {} from {}", parts.self(), request.getClass().getSimpleName(), from, e);
            return new ErrorReply("ring register: " + e.getMessage());
        }
    }

    /** A one-way message from a peer (a commit); any thread. */
    public void onMessage(NodeId from, RingMessage message) {
        if (message instanceof RingCommit commit) {
            parts.scheduler().execute(() -> install(new Committed(commit.epoch(), commit.value())));
        } else {
            log.warn("{} ignored one-way {} from {}", parts.self(), message.getClass().getSimpleName(), from);
        }
    }

    /**
     * A peer's gossip says it has committed {@code epoch}: when that is newer than what this
     * node has, fetch it from that peer (one fetch at a time). Scheduler thread.
     */
    public void onEpochSeen(NodeId peer, long epoch) {
        if (epoch > current.epoch() && epoch > fetching) {
            learnFrom(peer, epoch);
        }
    }

    /** The answer to a peer's request, computed on the scheduler thread. */
    Message answer(NodeId from, RingMessage request) {
        if (request instanceof RingPrepare prepare) {
            RingPromise promise = acceptor.onPrepare(prepare);
            catchUpIfBehind(from, prepare.epoch());
            return promise;
        } else if (request instanceof RingAccept accept) {
            var accepted = acceptor.onAccept(accept);
            catchUpIfBehind(from, accept.epoch());
            return accepted;
        } else if (request instanceof RingFetch) {
            Committed known = current;
            return new RingCommit(known.epoch(), known.value());
        }
        return new ErrorReply("unexpected ring request " + request.getClass().getSimpleName());
    }

    /** A proposer for {@code epoch} has committed {@code epoch - 1}: if this node has not, fetch it from them. */
    private void catchUpIfBehind(NodeId proposer, long epoch) {
        if (epoch - 1 > current.epoch() && !proposer.equals(parts.self())) {
            onEpochSeen(proposer, epoch - 1);
        }
    }

    /** Fetches the newest commit {@code peer} has and installs it; completes when done, either way. */
    CompletableFuture<Void> learnFrom(NodeId peer, long epoch) {
        fetching = Math.max(fetching, epoch);
        return parts.transport().request(peer, new RingFetch(epoch), parts.timings().requestTimeoutMillis())
                .handle((reply, error) -> reply)
                .thenAcceptAsync(reply -> {
                    fetching = 0;
                    if (reply instanceof RingCommit commit) {
                        install(new Committed(commit.epoch(), commit.value()));
                    }
                }, parts.scheduler()::execute);
    }

    /** Installs a newer committed ring (older and equal ones are ignored). Scheduler thread. */
    void install(Committed committed) {
        if (!acceptor.install(committed)) {
            return;
        }
        current = committed;
        log.info("{} installs ring {}", parts.self(), committed);
        for (Consumer<Committed> listener : listeners) {
            try {
                listener.accept(committed);
            } catch (RuntimeException e) {
                log.error("{}: a ring install listener failed on {}", parts.self(), committed, e);
            }
        }
    }

    /** Sends a request to an acceptor; the local acceptor is asked directly. */
    CompletableFuture<Message> ask(NodeId acceptor, RingMessage request) {
        if (acceptor.equals(parts.self())) {
            return CompletableFuture.completedFuture(safeAnswer(acceptor, request));
        }
        return parts.transport().request(acceptor, request, parts.timings().requestTimeoutMillis());
    }

    /** Sends {@code committed} one-way to each of {@code nodes} but this one. */
    void announce(Committed committed, List<NodeId> nodes) {
        RingCommit commit = new RingCommit(committed.epoch(), committed.value());
        for (NodeId node : nodes) {
            if (!node.equals(parts.self())) {
                parts.transport().send(node, commit);
            }
        }
    }

    void observeRound(long round) {
        highestRound = Math.max(highestRound, round);
    }

    long nextRound() {
        return ++highestRound;
    }

    Parts parts() {
        return parts;
    }
}
