package io.dkv.cluster.rebalance;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.runtime.Clock;
import io.dkv.core.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Finishes a ring change whose driver is gone: once a moving state has been in force here
 * for {@code takeoverMillis}, the lowest-numbered member of that state this node believes
 * up (itself included) takes over what the driver did: it asks the gaining nodes for their
 * move status until all hold their partitions, then commits the finished state.
 *
 * <p>Why this is safe with the driver still alive, or with two nodes that each believe
 * themselves the lowest live member: the finished state is a function of the moving one,
 * so every finisher proposes the same value for the same epoch, and the epoch register
 * (Paxos) commits it once. Each proposes only after every gaining node reported ready for
 * that epoch, exactly as the driver would. Why the lowest live member and not everyone: to
 * keep one poller (and one Paxos proposer) in the common case.
 *
 * <p>Threading: {@link #round} runs on the node's scheduler, and so does everything it
 * keeps; the finish it starts completes on any thread and hops back.
 */
public final class StalledChangeFinisher {

    private static final Logger log = LoggerFactory.getLogger(StalledChangeFinisher.class);

    private final NodeId self;
    private final RingHolder rings;
    private final LivenessView liveness;
    private final Clock clock;
    private final long takeoverMillis;
    private final Supplier<RingChange> changes;
    private long watchedEpoch;
    private long movingSinceMillis;
    private long finishingEpoch;

    /**
     * @param changes a fresh driver for each takeover (committing through the node's register)
     */
    public StalledChangeFinisher(NodeId self, RingHolder rings, LivenessView liveness, Clock clock,
                                 long takeoverMillis, Supplier<RingChange> changes) {
        this.self = self;
        this.rings = rings;
        this.liveness = liveness;
        this.clock = clock;
        this.takeoverMillis = takeoverMillis;
        this.changes = changes;
    }

    /** One look at the state in force; periodic, on the node's scheduler. */
    public synchronized void round() {
        RingState state = rings.state();
        long now = clock.monotonicMillis();
        if (!state.moving()) {
            watchedEpoch = 0;
            return;
        }
        if (state.epoch() != watchedEpoch) {
            watchedEpoch = state.epoch();
            movingSinceMillis = now;
            return;
        }
        if (finishingEpoch == state.epoch() || now - movingSinceMillis < takeoverMillis
                || !self.equals(lowestLiveMember(state))) {
            return;
        }
        finishingEpoch = state.epoch();
        log.info("{}: the ring change of epoch {} is still under way after {} ms; finishing it (moving to {})",
                self, state.epoch(), now - movingSinceMillis, state.next().nodes());
        changes.get().resume(state).whenComplete((finished, error) -> {
            if (error != null) {
                log.info("{}: finishing ring epoch {} ended: {}", self, state.epoch(), error.toString());
            } else {
                log.info("{}: ring epoch {} committed: the change of epoch {} is finished", self, finished.epoch(),
                        state.epoch());
            }
            // Let a later round try again if the state is still in force (the commit may have failed).
            synchronized (this) {
                if (finishingEpoch == state.epoch()) {
                    finishingEpoch = 0;
                }
            }
        });
    }

    /** The member of {@code state} (current or next) with the lowest number that this node believes up. */
    NodeId lowestLiveMember(RingState state) {
        NodeId lowest = null;
        for (NodeId node : state.allNodes()) {
            if ((node.equals(self) || liveness.isUp(node)) && (lowest == null || node.compareTo(lowest) < 0)) {
                lowest = node;
            }
        }
        return lowest;
    }
}
