package io.dkv.testkit.membership;

import io.dkv.core.NodeId;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import io.dkv.testkit.sim.SimNetwork;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure detector's targets, measured in virtual time with the default settings
 * (1 s gossip interval, fanout 3, phi threshold 8): detection time at N = 1000, no false
 * alarm in an hour of a lossy, jittery network, and a message load that does not grow with N.
 */
class FailureDetectionTest {

    /** Cluster settings for these tests: only membership runs, so the simulation stays fast. */
    private static SimCluster cluster(int nodes, long seed, Consumer<SimNetwork> network) {
        return SimCluster.builder().nodes(nodes).replicas(Math.min(3, nodes)).seed(seed)
                .config(c -> c.repair(c.repair().withAntiEntropyEnabled(false)).handoff(c.handoff().withEnabled(false)))
                .network(network).start();
    }

    @Test
    void aCrashedNodeIsMarkedDownByEveryLiveNodeWithinFiveSecondsAtAThousandNodes() {
        List<Long> detectionMillis = new ArrayList<>();
        // Each seed simulates a 1000-node cluster for ~16 s of virtual time (about as long in
        // wall time), so CI runs three; -Ddkv.detectionSeeds=100 runs more.
        Seeds.seeds(Integer.getInteger("dkv.detectionSeeds", 3), true).forEach(seed -> {
            System.out.println(Seeds.describe(FailureDetectionTest.class, "FailureDetectionTest", seed));
            SimCluster cluster = cluster(1000, seed, n -> n.latency(1, 10));
            cluster.runFor(Duration.ofSeconds(12));
            NodeId victim = NodeId.of(1 + cluster.simulation().random().nextInt(1000));
            cluster.crash(victim);
            long crashedAt = cluster.simulation().now();
            List<NodeId> live = cluster.upNodes();
            while (live.stream().anyMatch(n -> cluster.node(n).isUp(victim))
                    && cluster.simulation().now() - crashedAt < 60_000) {
                cluster.runFor(Duration.ofMillis(50));
            }
            long detection = cluster.simulation().now() - crashedAt;
            System.out.printf(Locale.ROOT, "seed %d: %s marked down by all %d live nodes after %d ms%n",
                    seed, victim, live.size(), detection);
            detectionMillis.add(detection);
        });
        long worst = detectionMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.println("detection times (ms): " + detectionMillis + ", worst " + worst);
        assertThat(worst).as("slowest detection over seeds, ms").isLessThanOrEqualTo(5_000);
    }

    @Test
    void noLiveNodeIsMarkedDownInAnHourOfLossAndJitter() {
        Seeds.seeds(2).forEach(seed -> {
            System.out.println(Seeds.describe(FailureDetectionTest.class, "FailureDetectionTest", seed));
            SimCluster cluster = cluster(50, seed, n -> n.latency(1, 200).dropRate(0.05));
            cluster.runFor(Duration.ofHours(1));
            long falseAlarms = cluster.nodeIds().stream()
                    .mapToLong(n -> cluster.node(n).metrics().peersMarkedDown.sum()).sum();
            System.out.printf(Locale.ROOT, "seed %d: %d false down marks in 1 h of 50 nodes, 5%% loss, 1-200 ms latency%n",
                    seed, falseAlarms);
            assertThat(falseAlarms).as(Seeds.describe(FailureDetectionTest.class, "false alarms", seed)).isZero();
        });
    }

    @Test
    void messagesPerNodePerSecondDoNotGrowWithClusterSize() {
        List<Double> rates = new ArrayList<>();
        for (int nodes : new int[]{10, 100, 1000}) {
            SimCluster cluster = cluster(nodes, 7, n -> n.latency(1, 10));
            cluster.runFor(Duration.ofSeconds(8));
            long before = cluster.network().messagesSent();
            cluster.runFor(Duration.ofSeconds(8));
            double perNodePerSecond = (cluster.network().messagesSent() - before) / (double) nodes / 8;
            System.out.printf(Locale.ROOT, "N=%d: %.2f messages per node per second%n", nodes, perNodePerSecond);
            rates.add(perNodePerSecond);
        }
        double smallest = rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(rates).allSatisfy(rate -> assertThat(rate).isLessThanOrEqualTo(smallest * 1.25));
    }
}
