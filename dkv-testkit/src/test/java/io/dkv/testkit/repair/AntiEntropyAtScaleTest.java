package io.dkv.testkit.repair;

import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anti-entropy with the fixed partition space's size (3 nodes x 1366 partitions each =
 * 4098, every node replicating all of them): a pass over every partition when nothing
 * differs takes seconds of virtual time, not the minute that comparing 16 roots per round
 * took, a key missing from one of thousands of partitions is found and repaired, and a
 * wiped node finishes recovering in seconds.
 */
class AntiEntropyAtScaleTest {

    private static final int PARTITIONS = Ring.DEFAULT_PARTITIONS;
    private static final int KEYS = 300;

    static LongStream seeds() {
        return Seeds.seeds(2, true);
    }

    private static SimCluster cluster(long seed) {
        System.out.println(Seeds.describe("AntiEntropyAtScaleTest", seed));
        return SimCluster.builder().nodes(3).replicas(3).seed(seed)
                .config(c -> c.partitions(PARTITIONS)
                        .readRepairChance(0)
                        .handoff(c.handoff().withEnabled(false)))
                .start();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aPassWithNothingToRepairTakesSecondsAtFourThousandPartitions(long seed) {
        SimCluster cluster = cluster(seed);
        int partitions = cluster.ring().partitionCount();
        SimClient client = cluster.client(NodeId.of(1));
        for (int i = 0; i < KEYS; i++) {
            client.put("key" + i, "value" + i, Consistency.ALL);
        }
        long start = cluster.simulation().now();
        long[] before = comparisons(cluster);
        long repairedBefore = repaired(cluster);

        // A pass: every node compared each of its partitions with both other replicas.
        boolean passed = cluster.runUntil(() -> {
            long[] now = comparisons(cluster);
            for (int i = 0; i < now.length; i++) {
                if (now[i] - before[i] < 2L * partitions) {
                    return false;
                }
            }
            return true;
        }, Duration.ofSeconds(30));
        long passMillis = cluster.simulation().now() - start;
        System.out.printf("anti-entropy pass over %d partitions x 2 peers, nothing differing: %d ms virtual%n",
                partitions, passMillis);

        assertThat(passed).as(Seeds.describe("pass within 30 s", seed)).isTrue();
        assertThat(passMillis).as(Seeds.describe("virtual ms for one pass", seed)).isLessThan(3_000);
        assertThat(repaired(cluster) - repairedBefore).as("nothing to repair").isZero();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aKeyOneReplicaMissedInOneOfThousandsOfPartitionsIsRepaired(long seed) {
        SimCluster cluster = cluster(seed);
        NodeId isolated = NodeId.of(3);
        cluster.runFor(Duration.ofSeconds(1));
        cluster.partition(Set.of(isolated));
        cluster.client(NodeId.of(1)).put("lonely", "value", Consistency.ONE);
        cluster.heal();
        assertThat(cluster.localEntry(isolated, "lonely")).isNull();
        long start = cluster.simulation().now();

        boolean repaired = cluster.runUntil(() -> cluster.localEntry(isolated, "lonely") != null, Duration.ofSeconds(30));
        System.out.printf("one missing key among %d partitions repaired after %d ms virtual%n",
                cluster.ring().partitionCount(), cluster.simulation().now() - start);

        assertThat(repaired).as(Seeds.describe("repaired within 30 s", seed)).isTrue();
        assertThat(cluster.simulation().now() - start).isLessThan(5_000);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aWipedNodeRecoversItsThousandsOfPartitionsInSeconds(long seed) {
        SimCluster cluster = cluster(seed);
        SimClient client = cluster.client(NodeId.of(1));
        for (int i = 0; i < KEYS; i++) {
            client.put("key" + i, "value" + i, Consistency.ALL);
        }
        NodeId wiped = NodeId.of(2);
        cluster.crash(wiped);
        cluster.wipe(wiped);
        cluster.restart(wiped);
        assertThat(cluster.node(wiped).status().recovering()).isTrue();
        long start = cluster.simulation().now();

        boolean recovered = cluster.runUntil(() -> !cluster.node(wiped).status().recovering(), Duration.ofSeconds(60));
        long recoveryMillis = cluster.simulation().now() - start;
        System.out.printf("wiped node compared %d partitions x 2 peers and recovered after %d ms virtual%n",
                cluster.ring().partitionCount(), recoveryMillis);

        assertThat(recovered).as(Seeds.describe("recovered within 60 s", seed)).isTrue();
        assertThat(recoveryMillis).isLessThan(10_000);
        for (int i = 0; i < KEYS; i++) {
            assertThat(cluster.localEntry(wiped, "key" + i)).as("key%d after recovery", i).isNotNull();
        }
    }

    private static long[] comparisons(SimCluster cluster) {
        List<NodeId> nodes = cluster.nodeIds();
        long[] counts = new long[nodes.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = cluster.node(nodes.get(i)).metrics().antiEntropyComparisons.sum();
        }
        return counts;
    }

    private static long repaired(SimCluster cluster) {
        return cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().antiEntropyKeysRepaired.sum()).sum();
    }
}
