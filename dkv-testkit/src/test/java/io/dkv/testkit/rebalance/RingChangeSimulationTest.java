package io.dkv.testkit.rebalance;

import io.dkv.cluster.ClusterNode;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster configured with 3 nodes goes through every ring change under a read/write load
 * while other nodes crash and restart and messages are lost: n4 and n5 join, n1 is
 * decommissioned while up, n2 dies and n6 replaces it, n3 dies and is removed, leaving n4,
 * n5, n6. Each change is committed through the epoch register (Paxos) by a node that stays.
 * Every read meanwhile is checked against the quorum guarantee ({@link ReadCheck});
 * afterwards every write acknowledged at QUORUM or ALL is read back at QUORUM through every
 * node of the final ring. Once faults stop, the cluster settles: every key lives on exactly
 * the final ring's replicas (the nodes that left dropped their copies, and every final
 * replica holds the key's newest entry, by anti-entropy), and no hint is left for a node
 * outside the final ring (they were handed to the replicas).
 *
 * <p>CI runs seeds 1..8; {@code -Ddkv.seeds=500} runs more, {@code -Ddkv.seed=S} replays one.
 */
class RingChangeSimulationTest {

    private static final int GENESIS = 3;
    private static final int NODES = 6;
    private static final int REPLICAS = 3;
    private static final int PARTITIONS = 64;
    private static final int KEYS = 60;
    private static final Duration DETECTION = Duration.ofSeconds(15);

    static LongStream seeds() {
        return Seeds.seeds();
    }

    private record Acked(String key, WriteResult result, Consistency consistency, String value) {
    }

    /** One ring change: what to do before it (crash the node that is going away), and the change itself. */
    private record Step(String name, NodeId dies, Function<ClusterNode, CompletableFuture<RingState>> change) {
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void acknowledgedWritesSurviveEveryKindOfRingChangeUnderFaults(long seed) {
        String run = Seeds.describe(RingChangeSimulationTest.class, "RingChangeSimulationTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(GENESIS).replicas(REPLICAS).seed(seed)
                .config(c -> c.partitions(PARTITIONS).replicaTimeoutMillis(300).streamBytesPerSecond(256 * 1024))
                .network(n -> n.latency(1, 10).dropRate(0.01))
                .start();
        // n4..n6 are numbered beyond the configured nodes, as real newcomers are.
        for (int number = GENESIS + 1; number <= NODES; number++) {
            cluster.addNode(n(number));
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + 7);
        List<Acked> acknowledged = new ArrayList<>();
        ReadCheck reads = new ReadCheck(cluster);
        int[] unique = {0};
        List<Step> steps = List.of(
                new Step("n4 joins", null, node -> node.join(n(4))),
                new Step("n5 joins", null, node -> node.join(n(5))),
                new Step("n1 is decommissioned", null, node -> node.decommission(n(1))),
                new Step("n6 replaces n2", n(2), node -> node.replace(n(2), n(6))),
                new Step("n3 is removed", n(3), node -> node.removeNode(n(3))));
        Set<NodeId> gone = new HashSet<>();

        for (Step step : steps) {
            runLoad(cluster, random, reads, acknowledged, unique, 2_000);
            if (step.dies() != null) {
                cluster.crash(step.dies());
                gone.add(step.dies());
                runLoad(cluster, random, reads, acknowledged, unique, DETECTION.toMillis());
            }
            // Driven by a member of the ring in force that stays (the epoch register takes proposals from members).
            List<NodeId> drivers = new ArrayList<>(cluster.ring().nodes());
            drivers.removeIf(node -> gone.contains(node) || node.equals(n(1)) || !cluster.isUp(node));
            NodeId driver = drivers.get(random.nextInt(drivers.size()));
            CompletableFuture<RingState> change = step.change().apply(cluster.node(driver));
            NodeId crashed = null;
            long deadline = cluster.simulation().now() + 300_000;
            while (!change.isDone() && cluster.simulation().now() < deadline) {
                if (crashed == null && gone.size() < 2 && random.nextInt(300) == 0) {
                    NodeId victim = cluster.nodeIds().get(random.nextInt(NODES));
                    if (!victim.equals(driver) && !gone.contains(victim)) {
                        crashed = victim;
                        cluster.crash(victim);
                    }
                } else if (crashed != null && random.nextInt(150) == 0) {
                    cluster.restart(crashed);
                    crashed = null;
                }
                runLoad(cluster, random, reads, acknowledged, unique, 20);
            }
            if (crashed != null) {
                cluster.restart(crashed);
            }
            assertThat(change).as("%s (%s); nodes: %s", step.name(), run, describe(cluster)).isCompleted();
            System.out.printf("seed %d: %s at %d ms, ring %s at epoch %d%n", seed, step.name(),
                    cluster.simulation().now(), change.join().current().nodes(), change.join().epoch());
        }
        assertThat(cluster.ring().nodes()).containsExactly(n(4), n(5), n(6));
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
     * a node keeping hints for a node outside the final ring. Empty once settled. Nodes that
     * are down for good (replaced, removed) are not asked: their disks are gone with them.
     */
    private static List<String> misplaced(SimCluster cluster, Ring last) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key" + i;
            List<NodeId> replicas = last.replicas(last.partitionOf(bytes(key)));
            Entry newest = null;
            for (NodeId node : cluster.upNodes()) {
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
        for (NodeId node : cluster.upNodes()) {
            for (NodeId target : cluster.node(node).handoff().store().countsByTarget().keySet()) {
                if (!last.nodes().contains(target)) {
                    problems.add(node + " keeps hints for " + target + ", outside the final ring");
                }
            }
        }
        return problems;
    }

    /** Each node's epoch and move status, for a change that did not finish. */
    private static String describe(SimCluster cluster) {
        StringBuilder text = new StringBuilder();
        for (NodeId node : cluster.nodeIds()) {
            text.append(node).append(cluster.isUp(node) ? " up" : " down");
            if (cluster.isUp(node)) {
                text.append(" epoch ").append(cluster.node(node).rings().epoch()).append(' ')
                        .append(cluster.node(node).moveStatus());
            }
            text.append("; ");
        }
        return text.toString();
    }

    private static NodeId n(int number) {
        return NodeId.of(number);
    }

    /** Issues requests for {@code millis} of virtual time, one every 10..30 ms. */
    private static void runLoad(SimCluster cluster, SplittableRandom random, ReadCheck reads, List<Acked> acknowledged,
                                int[] unique, long millis) {
        long until = cluster.simulation().now() + millis;
        while (cluster.simulation().now() < until) {
            reads.sampleFaults();
            List<NodeId> coordinators = new ArrayList<>(cluster.latestRingState().allNodes());
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
