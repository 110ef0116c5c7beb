package io.dkv.testkit.repair;

import io.dkv.cluster.config.FailureDetectionConfig;
import io.dkv.cluster.handoff.Hint;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.membership.Membership;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.version.Version;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A node's periodic duties survive their own failures: a duty that throws is counted and
 * runs again next period (a scheduler drops a repeating task that throws, and a node whose
 * gossip stopped would be marked down for good while it keeps serving). And the listeners
 * that gossip calls may be added to while they are being called.
 */
class RobustDutiesTest {

    /** The node whose hint store fails for a while. */
    private static final NodeId FLAKY = NodeId.of(1);
    /** How many calls to each of the store's failing methods throw before it recovers. */
    private static final int FAILURES = 10;

    static LongStream seeds() {
        return Seeds.seeds(3);
    }

    /**
     * n1's hint store throws from {@code countsByTarget()} (hint replay) and {@code count()}
     * (read for the load gossip carries) on their first {@value #FAILURES} calls each, while
     * n1 holds a hint for n2, which is up the whole time. Every failure must be counted, n1
     * must stay up in every peer's view, and once the store works again the hint must be
     * replayed (by the periodic replay round: n2 never goes down, so nothing else replays it).
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aDutyThatThrowsIsCountedAndRunsAgain(long seed) {
        String run = Seeds.describe(RobustDutiesTest.class, "RobustDutiesTest.aDutyThatThrowsIsCountedAndRunsAgain", seed);
        System.out.println(run);
        FlakyHintStore[] flaky = new FlakyHintStore[1];
        SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(seed)
                .hintStores((node, store) -> node.equals(FLAKY) ? (flaky[0] = new FlakyHintStore(store, FAILURES)) : store)
                .start();
        String key = "handed-over";
        NodeId target = cluster.ring().replicasOf(key.getBytes(StandardCharsets.UTF_8)).stream()
                .filter(n -> !n.equals(FLAKY)).findFirst().orElseThrow();
        cluster.client(FLAKY).put(key, "old", Consistency.ALL);
        Entry stored = cluster.localEntry(target, key);
        // A newer write that only n1's hint store holds: hint replay is the one way it can reach the target.
        Entry hinted = Entry.value("new".getBytes(StandardCharsets.UTF_8),
                new Version(stored.version().stamp() + 1, FLAKY.number()));
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        assertThat(cluster.node(FLAKY).handoff().keep(target, cluster.ring().partitionOf(keyBytes), keyBytes, hinted))
                .as(run).isTrue();

        assertEveryoneSeesFlakyUpWhile(cluster, () -> flaky[0].failuresLeft() > 0, run);

        assertThat(cluster.node(FLAKY).metrics().dutyFailures.sum()).as("%s: duty failures counted", run)
                .isEqualTo(flaky[0].thrown()).isEqualTo(2L * FAILURES);
        assertThat(cluster.localEntry(target, key)).as("%s: the hint cannot have been replayed while replay failed", run)
                .isEqualTo(stored);
        long replayedBefore = cluster.node(FLAKY).metrics().hintsReplayed.sum();

        assertThat(cluster.runUntil(() -> cluster.node(FLAKY).metrics().hintsReplayed.sum() > replayedBefore,
                Duration.ofSeconds(10))).as("%s: the hint for %s was replayed once the store worked again", run, target).isTrue();
        assertThat(cluster.localEntry(target, key)).as(run).isEqualTo(hinted);
        assertThat(cluster.node(FLAKY).handoff().store().count()).as("%s: hints left on %s", run, FLAKY).isZero();
        long until = cluster.simulation().now() + 10_000;
        assertEveryoneSeesFlakyUpWhile(cluster, () -> cluster.simulation().now() < until, run);
    }

    /**
     * An up-listener that registers another listener when it is called (what a component
     * wired while gossip already runs amounts to) must not break the iteration over them:
     * with a plain list this threw ConcurrentModificationException out of gossip handling.
     * The new listener hears the next peer that comes up.
     */
    @Test
    void anUpListenerMayRegisterAnotherWhileListenersAreCalled() {
        ManualClock clock = new ManualClock();
        Membership membership = new Membership(NodeId.of(1), 2, FailureDetectionConfig.DEFAULT, clock,
                new SilentTransport(), new SplittableRandom(1), new LongAdder(), () -> NodeLoad.NONE);
        List<String> calls = new ArrayList<>();
        membership.onPeerUp(node -> {
            calls.add("first " + node);
            membership.onPeerUp(later -> calls.add("added " + later));
        });
        membership.start();
        NodeId peer = NodeId.of(2);

        clock.advance(FailureDetectionConfig.DEFAULT.startupGraceMillis() + 1_000);
        membership.evaluate();
        assertThat(membership.isUp(peer)).as("never heard from after the start-up grace").isFalse();
        assertThatCode(() -> membership.onGossip(peer, heartbeat(peer, 1))).doesNotThrowAnyException();
        assertThat(membership.isUp(peer)).isTrue();
        assertThat(calls).containsExactly("first n2");

        clock.advance(60_000);
        membership.evaluate();
        assertThat(membership.isUp(peer)).as("silent for a minute").isFalse();
        assertThatCode(() -> membership.onGossip(peer, heartbeat(peer, 2))).doesNotThrowAnyException();
        assertThat(calls).containsExactly("first n2", "first n2", "added n2");
    }

    private static void assertEveryoneSeesFlakyUpWhile(SimCluster cluster, BooleanSupplier condition,
                                                       String run) {
        long deadline = cluster.simulation().now() + 120_000;
        while (condition.getAsBoolean()) {
            assertThat(cluster.simulation().now()).as("%s: still failing after two minutes", run).isLessThan(deadline);
            cluster.runFor(Duration.ofMillis(250));
            for (NodeId other : cluster.nodeIds()) {
                assertThat(cluster.node(other).isUp(FLAKY)).as("%s: %s sees %s up at %d ms", run, other, FLAKY,
                        cluster.simulation().now()).isTrue();
            }
        }
    }

    private static Gossip heartbeat(NodeId node, long beat) {
        return new Gossip(new int[]{node.number()}, new long[]{1_000}, new long[]{beat}, new int[]{0},
                new NodeLoad[]{NodeLoad.NONE}, Gossip.Kind.REPLY);
    }

    /** A hint store whose {@code countsByTarget()} and {@code count()} throw on their first calls. */
    private static final class FlakyHintStore implements HintStore {
        private final HintStore delegate;
        private final AtomicInteger countsByTargetFailures;
        private final AtomicInteger countFailures;
        private final AtomicInteger thrown = new AtomicInteger();

        FlakyHintStore(HintStore delegate, int failures) {
            this.delegate = delegate;
            this.countsByTargetFailures = new AtomicInteger(failures);
            this.countFailures = new AtomicInteger(failures);
        }

        int failuresLeft() {
            return countsByTargetFailures.get() + countFailures.get();
        }

        long thrown() {
            return thrown.get();
        }

        private void maybeFail(AtomicInteger left, String method) {
            if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                thrown.incrementAndGet();
                throw new IllegalStateException("injected failure of " + method);
            }
        }

        @Override
        public Map<NodeId, Integer> countsByTarget() {
            maybeFail(countsByTargetFailures, "countsByTarget");
            return delegate.countsByTarget();
        }

        @Override
        public long count() {
            maybeFail(countFailures, "count");
            return delegate.count();
        }

        @Override
        public boolean store(Hint hint) {
            return delegate.store(hint);
        }

        @Override
        public Entry get(NodeId target, int partition, byte[] key) {
            return delegate.get(target, partition, key);
        }

        @Override
        public List<Hint> batch(NodeId target, int max) {
            return delegate.batch(target, max);
        }

        @Override
        public boolean remove(NodeId target, byte[] key, io.dkv.core.version.EntryVersion version) {
            return delegate.remove(target, key, version);
        }

        @Override
        public int expire(long cutoffMillis) {
            return delegate.expire(cutoffMillis);
        }

        @Override
        public long bytes() {
            return delegate.bytes();
        }
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

    /** A transport that delivers nothing: the test plays the peer's gossip by hand. */
    private static final class SilentTransport implements Transport {
        @Override
        public void bind(MessageHandler handler) {
        }

        @Override
        public void send(NodeId to, Message message) {
        }

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            return CompletableFuture.failedFuture(new PeerUnavailableException(to, "silent"));
        }
    }
}
