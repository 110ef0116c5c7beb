package io.dkv.testkit.repair;

import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Anti-entropy alone (no hints, no read repair) brings back keys that nobody reads. */
class AntiEntropyTest {

    private static SimCluster cluster(int maxKeys) {
        return SimCluster.builder().nodes(5).replicas(3).seed(9)
                .config(c -> c.readRepairChance(0)
                        .handoff(c.handoff().withEnabled(false))
                        .repair(c.repair().withAntiEntropyIntervalMillis(100).withAntiEntropyMaxKeys(maxKeys)))
                .start();
    }

    @Test
    void keysNobodyReadsReachTheReplicaThatMissedThem() {
        SimCluster cluster = cluster(1_000);
        NodeId isolated = NodeId.of(3);
        cluster.partition(Set.of(isolated));
        SimClient client = cluster.client(NodeId.of(1));
        for (int i = 0; i < 300; i++) {
            client.put("key" + i, "value" + i, Consistency.ONE);
        }
        cluster.heal();
        long missing = missingOn(cluster, isolated, 300);
        assertThat(missing).as("keys the isolated replica missed").isGreaterThan(50);

        assertThat(cluster.runUntilSettled(() -> missingOn(cluster, isolated, 300) == 0, Duration.ofMinutes(2))).isTrue();
        long repaired = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyKeysRepaired.sum()).sum();
        assertThat(repaired).isGreaterThanOrEqualTo(missing);
    }

    @Test
    void eachComparisonMovesAtMostTheConfiguredNumberOfKeys() {
        SimCluster cluster = cluster(5);
        NodeId isolated = NodeId.of(2);
        cluster.partition(Set.of(isolated));
        SimClient client = cluster.client(NodeId.of(1));
        for (int i = 0; i < 300; i++) {
            client.put("key" + i, "value" + i, Consistency.ONE);
        }
        cluster.heal();
        long rounds = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyComparisons.sum()).sum();
        long repaired = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyKeysRepaired.sum()).sum();

        cluster.runFor(Duration.ofSeconds(2));

        long roundsSince = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyComparisons.sum()).sum() - rounds;
        long repairedSince = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyKeysRepaired.sum()).sum() - repaired;
        assertThat(repairedSince).isPositive().isLessThanOrEqualTo(2 * 5 * roundsSince);
        assertThat(cluster.runUntilSettled(() -> missingOn(cluster, isolated, 300) == 0, Duration.ofMinutes(5))).isTrue();
    }

    private static long missingOn(SimCluster cluster, NodeId node, int keys) {
        long missing = 0;
        for (int i = 0; i < keys; i++) {
            String key = "key" + i;
            List<NodeId> replicas = cluster.ring().replicasOf(key.getBytes());
            if (replicas.contains(node) && cluster.localEntry(node, key) == null) {
                missing++;
            }
        }
        return missing;
    }
}
