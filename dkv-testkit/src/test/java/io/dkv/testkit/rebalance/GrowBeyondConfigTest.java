package io.dkv.testkit.rebalance;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Gossip;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster configured with 3 nodes grows past its configuration: n4 and n5, numbered beyond
 * {@code nodes}, are started later ({@link SimCluster#addNode}) and join one after the other
 * under a QUORUM write load. Every node then follows them in its membership, they coordinate
 * QUORUM reads of earlier writes, and they hold their partitions. Then n1 is decommissioned:
 * once every node routes by the ring without it, nobody gossips to it any more, though it is
 * still reported (docs/ARCHITECTURE.md, "Failure detection").
 *
 * <p>CI runs seeds 1..4; {@code -Ddkv.seeds=50} runs more, {@code -Ddkv.seed=S} replays one.
 */
class GrowBeyondConfigTest {

    private static final int REPLICAS = 3;
    private static final int PARTITIONS = 64;
    private static final int KEYS = 40;
    private static final long CHANGE_LIMIT_MILLIS = 120_000;

    static LongStream seeds() {
        return Seeds.seeds(4);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aClusterOfThreeGrowsToFiveThenShedsN1(long seed) {
        String run = Seeds.describe(GrowBeyondConfigTest.class, "GrowBeyondConfigTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(3).replicas(REPLICAS).seed(seed)
                .config(c -> c.partitions(PARTITIONS).replicaTimeoutMillis(300))
                .network(n -> n.latency(1, 10))
                .start();
        Load load = new Load(cluster, new SplittableRandom(seed * 17 + 3));
        load.run(2_000);

        cluster.addNode(n(4));
        cluster.addNode(n(5));
        assertThat(cluster.nodeIds()).containsExactly(n(1), n(2), n(3), n(4), n(5));
        change(cluster, load, cluster.node(n(1)).join(n(4)), "n4 joins", run);
        change(cluster, load, cluster.node(n(1)).join(n(5)), "n5 joins", run);
        load.run(2_000);

        assertThat(cluster.ring().nodes()).as(run).containsExactly(n(1), n(2), n(3), n(4), n(5));
        for (NodeId observer : cluster.nodeIds()) {
            ClusterNode node = cluster.node(observer);
            Map<NodeId, PeerState> states = statesSeenBy(cluster, observer);
            for (NodeId newcomer : List.of(n(4), n(5))) {
                assertThat(node.isUp(newcomer)).as("%s sees %s up (%s)", observer, newcomer, run).isTrue();
                assertThat(states).as("%s reports %s (%s)", observer, newcomer, run).containsEntry(newcomer, PeerState.UP);
            }
        }
        Map<String, WriteResult> acked = load.latestAcknowledged();
        assertThat(acked).as(run).isNotEmpty();
        for (NodeId newcomer : List.of(n(4), n(5))) {
            assertThat(cluster.ring().partitionsReplicatedBy(newcomer)).as("%s's partitions (%s)", newcomer, run)
                    .isNotEmpty();
            int held = 0;
            for (Map.Entry<String, WriteResult> write : acked.entrySet()) {
                byte[] key = bytes(write.getKey());
                Entry read = cluster.await(cluster.node(newcomer).read(key, Consistency.QUORUM));
                assertThat(read).as("%s via %s (%s)", write.getKey(), newcomer, run).isNotNull();
                assertThat(read.version()).as("%s via %s (%s)", write.getKey(), newcomer, run)
                        .isGreaterThanOrEqualTo(write.getValue().version());
                if (cluster.ring().replicasOf(key).contains(newcomer)) {
                    Entry stored = cluster.localEntry(newcomer, key);
                    assertThat(stored).as("%s in %s's storage (%s)", write.getKey(), newcomer, run).isNotNull();
                    assertThat(stored.version()).as("%s in %s's storage (%s)", write.getKey(), newcomer, run)
                            .isGreaterThanOrEqualTo(write.getValue().version());
                    held++;
                }
            }
            assertThat(held).as("acknowledged keys %s replicates (%s)", newcomer, run).isPositive();
        }

        RingState shrunk = change(cluster, load, cluster.node(n(2)).decommission(n(1)), "n1 leaves", run);
        assertThat(cluster.runUntil(() -> cluster.nodeIds().stream()
                        .allMatch(node -> cluster.node(node).rings().epoch() >= shrunk.epoch()), Duration.ofSeconds(30)))
                .as("every node routes by epoch %d (%s)", shrunk.epoch(), run).isTrue();
        long[] pushes = new long[2];
        cluster.network().onSend(sent -> {
            if (sent.message() instanceof Gossip gossip && gossip.kind() == Gossip.Kind.PUSH) {
                pushes[sent.to().equals(n(1)) ? 0 : 1]++;
            }
        });
        load.run(10_000);
        assertThat(pushes[0]).as("gossip pushes and probes sent to n1 after it left (%s)", run).isZero();
        assertThat(pushes[1]).as("gossip pushes among the others").isPositive();
        for (NodeId observer : shrunk.current().nodes()) {
            assertThat(statesSeenBy(cluster, observer)).as("%s still reports n1, which still runs and gossips (%s)",
                    observer, run).containsEntry(n(1), PeerState.UP);
        }
    }

    private static RingState change(SimCluster cluster, Load load, CompletableFuture<RingState> change, String name,
                                    String run) {
        long deadline = cluster.simulation().now() + CHANGE_LIMIT_MILLIS;
        while (!change.isDone() && cluster.simulation().now() < deadline) {
            load.run(20);
        }
        assertThat(change).as("%s (%s)", name, run).isCompleted();
        RingState state = change.join();
        System.out.printf("%s at %d ms: ring %s at epoch %d%n", name, cluster.simulation().now(),
                state.current().nodes(), state.epoch());
        return state;
    }

    private static Map<NodeId, PeerState> statesSeenBy(SimCluster cluster, NodeId observer) {
        Map<NodeId, PeerState> states = new HashMap<>();
        for (PeerStatus status : cluster.await(cluster.node(observer).peerStatuses())) {
            states.put(status.node(), status.state());
        }
        return states;
    }

    /** QUORUM writes through a random node of the ring in force, one every 10..30 ms. */
    private static final class Load {
        private final SimCluster cluster;
        private final SplittableRandom random;
        private final Map<String, WriteResult> latest = new HashMap<>();
        private int unique;

        Load(SimCluster cluster, SplittableRandom random) {
            this.cluster = cluster;
            this.random = random;
        }

        void run(long millis) {
            long until = cluster.simulation().now() + millis;
            while (cluster.simulation().now() < until) {
                List<NodeId> coordinators = cluster.latestRingState().current().nodes();
                NodeId coordinator = coordinators.get(random.nextInt(coordinators.size()));
                String key = "key" + random.nextInt(KEYS);
                cluster.client(coordinator).putAsync(bytes(key), bytes("v" + unique++), Consistency.QUORUM)
                        .thenAccept(result -> latest.merge(key, result,
                                (before, now) -> before.version().compareTo(now.version()) < 0 ? now : before));
                cluster.runFor(Duration.ofMillis(10 + random.nextInt(20)));
            }
        }

        Map<String, WriteResult> latestAcknowledged() {
            return Map.copyOf(latest);
        }
    }

    private static NodeId n(int number) {
        return NodeId.of(number);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
