package io.dkv.testkit.rebalance;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dead node is removed from the ring while others hold hints for it: the hints go to the
 * partitions' replicas in the new ring, and every write acknowledged while it was dead ends
 * up on every final replica. CI runs seeds 1..8; {@code -Ddkv.seed=S} replays one.
 */
class RemovedNodeHintsTest {

    private static final int PARTITIONS = 60;
    private static final int KEYS = 40;
    private static final NodeId DEAD = NodeId.of(4);

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void hintsForARemovedNodeReachTheNewReplicas(long seed) {
        String run = Seeds.describe(RemovedNodeHintsTest.class, "RemovedNodeHintsTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(4).replicas(3).seed(seed)
                .config(c -> c.partitions(PARTITIONS).replicaTimeoutMillis(300))
                .network(n -> n.latency(1, 10))
                .start();
        cluster.runFor(Duration.ofSeconds(2));
        cluster.crash(DEAD);

        Map<String, WriteResult> written = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key" + i;
            written.put(key, cluster.client(NodeId.of(1 + i % 3)).put(key, "v" + i, Consistency.QUORUM));
        }
        long hintsForDead = 0;
        for (NodeId node : List.of(NodeId.of(1), NodeId.of(2), NodeId.of(3))) {
            hintsForDead += cluster.node(node).handoff().store().countsByTarget().getOrDefault(DEAD, 0);
        }
        assertThat(hintsForDead).as("hints kept for the dead node (%s)", run).isPositive();

        assertThat(cluster.runUntil(() -> !cluster.node(NodeId.of(1)).isUp(DEAD), Duration.ofSeconds(60)))
                .as("the dead node marked down (%s)", run).isTrue();
        CompletableFuture<RingState> change = cluster.node(NodeId.of(1)).removeNode(DEAD);
        assertThat(cluster.runUntil(change::isDone, Duration.ofMinutes(5))).as("removal finished (%s)", run).isTrue();
        Ring target = change.join().current();
        assertThat(target.nodes()).doesNotContain(DEAD).hasSize(3);

        boolean settled = cluster.runUntilSettled(() -> leftovers(cluster, target, written).isEmpty(),
                Duration.ofMinutes(2));
        assertThat(leftovers(cluster, target, written)).as("after %d ms (%s)", cluster.simulation().now(), run)
                .isEmpty();
        assertThat(settled).isTrue();
        long redirected = 0;
        for (NodeId node : target.nodes()) {
            redirected += cluster.node(node).metrics().hintsRedirected.sum();
        }
        System.out.printf("seed %d: %d hints for %s, %d redirected%n", seed, hintsForDead, DEAD, redirected);
        assertThat(redirected).as("hints handed to the new replicas (%s)", run).isPositive();
    }

    /** Hints still kept for the removed node, and final replicas without a write acknowledged while it was dead. */
    private static List<String> leftovers(SimCluster cluster, Ring target, Map<String, WriteResult> written) {
        List<String> problems = new ArrayList<>();
        for (NodeId node : target.nodes()) {
            int kept = cluster.node(node).handoff().store().countsByTarget().getOrDefault(DEAD, 0);
            if (kept > 0) {
                problems.add(node + " keeps " + kept + " hints for " + DEAD);
            }
        }
        written.forEach((key, result) -> {
            for (NodeId replica : target.replicas(target.partitionOf(key.getBytes(StandardCharsets.UTF_8)))) {
                Entry held = cluster.localEntry(replica, key);
                if (held == null || held.version().compareTo(result.version()) < 0) {
                    problems.add(replica + " lacks " + key + " at " + result.version());
                }
            }
        });
        return problems;
    }
}
