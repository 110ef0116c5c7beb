package io.dkv.testkit.rebalance;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.ReadCheck;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ring changes three times under a read/write load (3 nodes grow to 5, one is swapped
 * for another, then back to 3) while single nodes crash and restart and messages are lost.
 * Every read during the changes is checked against the quorum guarantee ({@link ReadCheck}),
 * and afterwards every write acknowledged at QUORUM or ALL is read back at QUORUM through
 * every node of the final ring. Once faults stop, the cluster settles: every key lives on
 * exactly the final ring's replicas (the nodes that left dropped their copies, and every
 * final replica holds the key's newest entry, by anti-entropy), and no hint is left for a
 * node outside the final ring (they were handed to the replicas).
 *
 * <p>CI runs seeds 1..8; {@code -Ddkv.seeds=500} runs more, {@code -Ddkv.seed=S} replays one.
 */
class RingChangeSimulationTest {

    private static final int NODES = 6;
    private static final int REPLICAS = 3;
    /** Divisible by every ring size used, so that every ring has the same partitions. */
    private static final int PARTITIONS = 60;
    private static final int KEYS = 60;

    static LongStream seeds() {
        return Seeds.seeds();
    }

    private static Ring ringOf(int... numbers) {
        List<NodeId> nodes = new ArrayList<>();
        for (int number : numbers) {
            nodes.add(NodeId.of(number));
        }
        return Ring.build(nodes, REPLICAS, PARTITIONS / numbers.length, Ring.DEFAULT_SEED);
    }

    private record Acked(String key, WriteResult result, Consistency consistency, String value) {
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void acknowledgedWritesSurviveRingChangesUnderFaults(long seed) {
        String run = Seeds.describe(RingChangeSimulationTest.class, "RingChangeSimulationTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(NODES).replicas(REPLICAS).seed(seed)
                .initialRing(config -> ringOf(1, 2, 3))
                .config(c -> c.replicaTimeoutMillis(300).streamBytesPerSecond(256 * 1024))
                .network(n -> n.latency(1, 10).dropRate(0.01))
                .start();
        SplittableRandom random = new SplittableRandom(seed * 31 + 7);
        List<Acked> acknowledged = new ArrayList<>();
        ReadCheck reads = new ReadCheck(cluster);
        int[] unique = {0};
        List<Ring> targets = List.of(ringOf(1, 2, 3, 4, 5), ringOf(2, 3, 4, 5, 6), ringOf(4, 5, 6));

        long deadline = 600_000;
        for (Ring target : targets) {
            runLoad(cluster, random, reads, acknowledged, unique, 2_000);
            NodeId driver = target.nodes().get(random.nextInt(target.nodes().size()));
            while (!cluster.isUp(driver)) {
                cluster.restart(driver);
            }
            CompletableFuture<RingState> change = cluster.node(driver).changeRing(target, cluster.ringPublisher());
            NodeId crashed = null;
            while (!change.isDone() && cluster.simulation().now() < deadline) {
                if (crashed == null && random.nextInt(200) == 0) {
                    crashed = cluster.nodeIds().get(random.nextInt(NODES));
                    if (crashed.equals(driver)) {
                        crashed = null;
                    } else {
                        cluster.crash(crashed);
                    }
                } else if (crashed != null && random.nextInt(100) == 0) {
                    cluster.restart(crashed);
                    crashed = null;
                }
                runLoad(cluster, random, reads, acknowledged, unique, 20);
            }
            if (crashed != null) {
                cluster.restart(crashed);
            }
            assertThat(change).as("change to %s finished (%s)", target.nodes(), run).isCompleted();
            assertThat(change.join().current()).isSameAs(target);
        }
        runLoad(cluster, random, reads, acknowledged, unique, 2_000);
        reads.sampleFaults();
        cluster.network().dropRate(0);

        List<String> stale = reads.violations();
        System.out.printf("seed %d: %d writes acknowledged, %d reads, %d checked against the guarantee, %d stale,"
                + " ring epoch %d at %d ms%n", seed, acknowledged.size(), reads.readCount(), reads.checkedReads(),
                stale.size(), cluster.latestRingState().epoch(), cluster.simulation().now());
        assertThat(stale).as("reads that broke the quorum guarantee (%s)", run).isEmpty();
        assertThat(reads.checkedReads()).as("reads the guarantee covered").isPositive();

        Map<String, Acked> latest = new HashMap<>();
        for (Acked acked : acknowledged) {
            if (acked.consistency() == Consistency.ONE) {
                continue;
            }
            Acked before = latest.get(acked.key());
            if (before == null || before.result().version().compareTo(acked.result().version()) < 0) {
                latest.put(acked.key(), acked);
            }
        }
        for (NodeId coordinator : cluster.ring().nodes()) {
            SimClient client = cluster.client(coordinator);
            for (Acked acked : latest.values()) {
                Entry read = cluster.await(cluster.node(coordinator).read(bytes(acked.key()), Consistency.QUORUM));
                assertThat(read).as("%s via %s (%s)", acked.key(), coordinator, run).isNotNull();
                assertThat(read.version()).as("%s via %s (%s)", acked.key(), coordinator, run)
                        .isGreaterThanOrEqualTo(acked.result().version());
            }
        }

        Ring last = cluster.ring();
        boolean settled = cluster.runUntilSettled(() -> misplaced(cluster, last).isEmpty(), Duration.ofMinutes(10));
        assertThat(misplaced(cluster, last)).as("keys not on exactly the final replicas after %d ms (%s)",
                cluster.simulation().now(), run).isEmpty();
        assertThat(settled).isTrue();
        long redirected = 0;
        long dropped = 0;
        for (NodeId node : cluster.nodeIds()) {
            redirected += cluster.node(node).metrics().hintsRedirected.sum();
            dropped += cluster.node(node).metrics().partitionEntriesDropped.sum();
        }
        System.out.printf("seed %d: settled at %d ms: %d entries dropped by nodes that left, %d hints redirected%n",
                seed, cluster.simulation().now(), dropped, redirected);
    }

    /**
     * What keeps the cluster from being settled on {@code last}: a node outside a key's final
     * replicas holding an entry of it, a final replica without the newest entry anyone holds,
     * a node keeping hints for a node outside the final ring. Empty once settled.
     */
    private static List<String> misplaced(SimCluster cluster, Ring last) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key" + i;
            List<NodeId> replicas = last.replicas(last.partitionOf(bytes(key)));
            Entry newest = null;
            for (NodeId node : cluster.nodeIds()) {
                Entry held = cluster.localEntry(node, key);
                if (held == null) {
                    continue;
                }
                if (!replicas.contains(node)) {
                    problems.add(node + " still holds " + key + " (replicas " + replicas + ")");
                }
                if (newest == null || held.version().compareTo(newest.version()) > 0) {
                    newest = held;
                }
            }
            for (NodeId replica : replicas) {
                Entry held = cluster.localEntry(replica, key);
                if (newest != null && (held == null || !held.version().equals(newest.version()))) {
                    problems.add(replica + " lacks the newest entry of " + key + " (" + newest.version() + ")");
                }
            }
        }
        for (NodeId node : cluster.nodeIds()) {
            for (NodeId target : cluster.node(node).handoff().store().countsByTarget().keySet()) {
                if (!last.nodes().contains(target)) {
                    problems.add(node + " keeps hints for " + target + ", outside the final ring");
                }
            }
        }
        return problems;
    }

    /** Issues requests for {@code millis} of virtual time, one every 10..30 ms. */
    private static void runLoad(SimCluster cluster, SplittableRandom random, ReadCheck reads, List<Acked> acknowledged,
                                int[] unique, long millis) {
        long until = cluster.simulation().now() + millis;
        while (cluster.simulation().now() < until) {
            reads.sampleFaults();
            List<NodeId> coordinators = new ArrayList<>(cluster.ring().nodes());
            coordinators.removeIf(node -> !cluster.isUp(node));
            if (!coordinators.isEmpty()) {
                SimClient client = cluster.client(coordinators.get(random.nextInt(coordinators.size())));
                String key = "key" + random.nextInt(KEYS);
                int dice = random.nextInt(100);
                Consistency consistency = dice % 10 == 0 ? Consistency.ALL : dice % 10 == 1 ? Consistency.ONE
                        : Consistency.QUORUM;
                if (dice < 60) {
                    String value = "v" + unique[0]++;
                    client.putAsync(bytes(key), bytes(value), consistency).thenAccept(result -> {
                        acknowledged.add(new Acked(key, result, consistency, value));
                        reads.acknowledged(key, result, consistency);
                    });
                } else if (dice < 70) {
                    client.deleteAsync(bytes(key), consistency).thenAccept(result -> {
                        acknowledged.add(new Acked(key, result, consistency, null));
                        reads.acknowledged(key, result, consistency);
                    });
                } else {
                    reads.read(client, key, consistency);
                }
            }
            cluster.runFor(Duration.ofMillis(10 + random.nextInt(20)));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
