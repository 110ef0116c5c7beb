package io.dkv.cluster.membership;

import io.dkv.cluster.config.FailureDetectionConfig;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership follows the ring in force (docs/ARCHITECTURE.md, "Failure detection"): it
 * tracks nodes numbered beyond those the cluster started with, learnt from the ring or from
 * gossip, gossips only to the ring's members, and keeps reporting a node that left.
 */
class MembershipTrackingTest {

    private static final FailureDetectionConfig DETECTION = FailureDetectionConfig.DEFAULT;
    private static final long INTERVAL = DETECTION.gossipIntervalMillis();

    private final ManualClock clock = new ManualClock();
    private final RecordingTransport transport = new RecordingTransport();

    private Membership membershipOf(int self, int genesisNodes) {
        Membership membership = new Membership(n(self), genesisNodes, DETECTION, clock, transport,
                new SplittableRandom(7), new LongAdder(), () -> NodeLoad.NONE);
        membership.start();
        return membership;
    }

    @Test
    void aNodeLearntByGossipBeyondTheGenesisIsTrackedAndReported() {
        Membership membership = membershipOf(1, 3);

        membership.onGossip(n(5), heartbeat(n(5), 1));

        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3, 5);
        assertThat(membership.isUp(n(5))).isTrue();
        // n5 never speaks again: it goes down like any peer, and stays reported.
        for (int round = 0; round < 60; round++) {
            clock.advance(INTERVAL);
            membership.evaluate();
        }
        assertThat(membership.isUp(n(5))).isFalse();
        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3, 5);
    }

    @Test
    void aNodeOfTheGenesisStartsTrackedAndUpUntilItsGraceRunsOut() {
        Membership membership = membershipOf(1, 3);

        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3);
        assertThat(membership.isUp(n(2))).isTrue();
        clock.advance(DETECTION.startupGraceMillis() + 1);
        membership.evaluate();
        assertThat(membership.isUp(n(2))).as("never heard from after the start-up grace").isFalse();
        assertThat(membership.isUp(n(9))).as("untracked: no evidence against it").isTrue();
    }

    @Test
    void aNodeThatEntersTheRingGetsItsOwnGraceAndIsGossipedTo() {
        Membership membership = membershipOf(1, 3);
        clock.advance(DETECTION.startupGraceMillis() * 2);
        membership.onGossip(n(2), heartbeat(n(2), 1));
        membership.onGossip(n(3), heartbeat(n(3), 1));

        membership.track(List.of(n(1), n(2), n(3), n(4)));
        membership.evaluate();
        assertThat(membership.isUp(n(4))).as("just entered the ring, within its grace").isTrue();
        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3, 4);
        transport.sent.clear();
        for (int round = 0; round < 20; round++) {
            membership.gossipRound();
        }
        assertThat(transport.targets()).contains(4);

        clock.advance(DETECTION.startupGraceMillis() + 1);
        membership.evaluate();
        assertThat(membership.isUp(n(4))).as("never heard from in its grace").isFalse();
    }

    @Test
    void aNodeThatLeftTheRingIsNoLongerGossipedToButStillReported() {
        Membership membership = membershipOf(1, 4);
        for (int beat = 1; beat <= 5; beat++) {
            clock.advance(INTERVAL);
            for (int peer = 2; peer <= 4; peer++) {
                membership.onGossip(n(peer), heartbeat(n(peer), beat));
            }
        }

        membership.track(List.of(n(1), n(2), n(3)));
        transport.sent.clear();
        // n4 falls silent: neither rounds, nor targeted rounds, nor probes go to it.
        for (int round = 0; round < 60; round++) {
            clock.advance(INTERVAL / 2);
            membership.evaluate();
            membership.gossipRound();
            membership.onGossip(n(2), heartbeat(n(2), 10 + round));
            membership.onGossip(n(3), heartbeat(n(3), 10 + round));
        }

        assertThat(transport.targets()).containsOnly(2, 3);
        assertThat(membership.isUp(n(4))).isFalse();
        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aNodeBeyondTheGenesisGossipsToTheGenesisNodes() {
        Membership membership = membershipOf(4, 3);
        for (int round = 0; round < 20; round++) {
            membership.gossipRound();
        }

        assertThat(transport.targets()).containsOnly(1, 2, 3);
        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3, 4);
    }

    @Test
    void gossipNamingAHugeNodeNumberIsIgnored() {
        Membership membership = membershipOf(1, 3);

        membership.onGossip(n(2), heartbeat(n(Integer.MAX_VALUE), 1));

        assertThat(numbers(membership.statuses())).containsExactly(1, 2, 3);
    }

    private static Gossip heartbeat(NodeId node, long beat) {
        return new Gossip(new int[]{node.number()}, new long[]{1_000}, new long[]{beat}, new int[]{0},
                new NodeLoad[]{NodeLoad.NONE}, Gossip.Kind.REPLY);
    }

    private static List<Integer> numbers(List<PeerStatus> statuses) {
        return statuses.stream().map(status -> status.node().number()).toList();
    }

    private static NodeId n(int number) {
        return NodeId.of(number);
    }

    private static final class ManualClock implements Clock {
        private long now = 1_000;

        void advance(long millis) {
            now += millis;
        }

        @Override
        public long wallMillis() {
            return 1_700_000_000_000L + now;
        }

        @Override
        public long monotonicMillis() {
            return now;
        }

        @Override
        public long monotonicNanos() {
            return now * 1_000_000;
        }
    }

    /** Delivers nothing and remembers where every message went. */
    private static final class RecordingTransport implements Transport {
        private final List<NodeId> sent = new ArrayList<>();

        List<Integer> targets() {
            return sent.stream().map(NodeId::number).distinct().sorted().toList();
        }

        @Override
        public void bind(MessageHandler handler) {
        }

        @Override
        public void send(NodeId to, Message message) {
            sent.add(to);
        }

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            return CompletableFuture.failedFuture(new PeerUnavailableException(to, "silent"));
        }
    }
}
