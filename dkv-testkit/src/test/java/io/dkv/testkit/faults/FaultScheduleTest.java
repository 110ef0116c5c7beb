package io.dkv.testkit.faults;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.Version;
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
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients write unique values, delete and read while a seeded schedule crashes, wipes and
 * restarts nodes, partitions and heals the network, and bursts of loss and delay come and
 * go. During the faults, every read is checked against the quorum guarantee
 * ({@link ReadCheck}): with R + W > RF and at most RF - max(R, W) of the key's replicas
 * faulty, it returns a version at least as high as every write acknowledged before it
 * began. Once the faults stop and repair has run: (i) no write acknowledged at QUORUM or
 * ALL is lost (it is on every replica, or superseded by a higher version), (ii) all
 * replicas of every key hold the same entry, (iii) a read at ONE through any node returns
 * the latest value.
 *
 * <p>CI runs seeds 1..8; {@code -Ddkv.seeds=2000} runs two thousand (add {@code -Ddkv.faultSeconds=20} for
 * shorter schedules), {@code -Ddkv.seed=S}
 * replays one.
 */
class FaultScheduleTest {

    private static final int NODES = 5;
    private static final int KEYS = 40;
    /** How long the faults go on; {@code -Ddkv.faultSeconds=20} shortens it for sweeps over many seeds. */
    private static final long FAULT_MILLIS = Long.getLong("dkv.faultSeconds", 60) * 1_000;

    static LongStream seeds() {
        return Seeds.seeds();
    }

    /** One write the cluster acknowledged. */
    private record Acked(String key, Version version, Consistency consistency, String value) {
    }

    /** Wiped nodes that have not finished recovering: no other node is crashed meanwhile. */
    private final Set<NodeId> wiped = new HashSet<>();
    /** Cleared when the fault phase ends: scheduled fault actions (and their undoing) then do nothing. */
    private boolean faultsActive = true;

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void acknowledgedWritesSurviveAndReplicasConverge(long seed) {
        String run = Seeds.describe(FaultScheduleTest.class, "FaultScheduleTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(NODES).replicas(3).seed(seed)
                .config(c -> c.replicaTimeoutMillis(300)
                        .repair(c.repair().withAntiEntropyIntervalMillis(50)))
                .network(n -> n.latency(1, 20).dropRate(0.02).duplicateRate(0.01))
                .start();
        SplittableRandom random = new SplittableRandom(seed * 31 + 7);
        List<Acked> acknowledged = new ArrayList<>();
        List<CompletableFuture<?>> requests = new ArrayList<>();
        ReadCheck reads = new ReadCheck(cluster);
        int[] uniqueValue = {0};

        scheduleFaults(cluster, new SplittableRandom(seed * 17 + 3));
        while (cluster.simulation().now() < FAULT_MILLIS) {
            reads.sampleFaults();
            wiped.removeIf(node -> cluster.isUp(node) && !cluster.node(node).isRecovering());
            issueRequest(cluster, random, acknowledged, requests, reads, uniqueValue);
            cluster.runFor(Duration.ofMillis(10 + random.nextInt(20)));
        }
        reads.sampleFaults();

        // The faults stop: every node back, the network whole and quiet.
        faultsActive = false;
        cluster.heal();
        cluster.network().latency(1, 20).dropRate(0).duplicateRate(0);
        for (NodeId node : cluster.nodeIds()) {
            if (!cluster.isUp(node)) {
                cluster.restart(node);
            }
        }
        // Requests whose coordinator crashed never complete; the others get a few seconds.
        cluster.runUntil(() -> requests.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(5));
        boolean converged = cluster.runUntilSettled(() -> problems(cluster, acknowledged).isEmpty()
                && cluster.nodeIds().stream().noneMatch(n -> cluster.node(n).isRecovering()), Duration.ofMinutes(3));

        List<String> problems = problems(cluster, acknowledged);
        long lost = problems.stream().filter(p -> p.startsWith("lost")).count();
        long quorumAcked = acknowledged.stream().filter(a -> a.consistency() != Consistency.ONE).count();
        List<String> stale = reads.violations();
        System.out.printf("seed %d: %d writes acknowledged (%d at QUORUM or ALL), %d lost, converged=%s after %d ms;"
                        + " %d reads during faults, %d checked against the guarantee, %d stale%n",
                seed, acknowledged.size(), quorumAcked, lost, converged, cluster.simulation().now() - FAULT_MILLIS,
                reads.readCount(), reads.checkedReads(), stale.size());
        assertThat(stale).as("reads that broke the quorum guarantee (%s)", run).isEmpty();
        assertThat(reads.checkedReads()).as("reads the guarantee covered").isPositive();
        assertThat(problems).as(run).isEmpty();

        for (NodeId coordinator : cluster.nodeIds()) {
            SimClient client = cluster.client(coordinator);
            for (int k = 0; k < KEYS; k++) {
                String key = "key" + k;
                Entry latest = cluster.localEntry(cluster.ring().replicasOf(bytes(key)).get(0), key);
                String expected = latest == null || latest.isTombstone() ? null : new String(latest.value(), StandardCharsets.UTF_8);
                assertThat(client.get(key, Consistency.ONE)).as("%s via %s (%s)", key, coordinator, run).isEqualTo(expected);
            }
        }
    }

    private static void issueRequest(SimCluster cluster, SplittableRandom random, List<Acked> acknowledged,
                                     List<CompletableFuture<?>> requests, ReadCheck reads, int[] uniqueValue) {
        if (cluster.upNodes().isEmpty()) {
            return;
        }
        String key = "key" + random.nextInt(KEYS);
        SimClient client = cluster.client();
        int dice = random.nextInt(100);
        Consistency consistency = dice % 10 == 0 ? Consistency.ALL : dice % 10 == 1 ? Consistency.ONE : Consistency.QUORUM;
        if (dice < 65) {
            String value = "v" + uniqueValue[0]++;
            requests.add(client.putAsync(bytes(key), bytes(value), consistency).thenAccept(result -> {
                acknowledged.add(new Acked(key, result.version(), consistency, value));
                reads.acknowledged(key, result, consistency);
            }));
        } else if (dice < 75) {
            requests.add(client.deleteAsync(bytes(key), consistency).thenAccept((WriteResult result) -> {
                acknowledged.add(new Acked(key, result.version(), consistency, null));
                reads.acknowledged(key, result, consistency);
            }));
        } else {
            Consistency level = dice % 4 == 0 ? Consistency.ONE : dice % 4 == 1 ? Consistency.ALL : Consistency.QUORUM;
            requests.add(reads.read(client, key, level));
        }
    }

    /** A seeded schedule of crashes, restarts, partitions and network trouble during the fault phase. */
    /** Runs {@code action} at {@code atMillis} of virtual time, unless the fault phase is over by then. */
    private void at(SimCluster cluster, long atMillis, Runnable action) {
        cluster.simulation().schedule(atMillis - cluster.simulation().now(), () -> {
            if (faultsActive) {
                action.run();
            }
        });
    }

    private void scheduleFaults(SimCluster cluster, SplittableRandom random) {
        long at = 2_000;
        while (at < FAULT_MILLIS - 5_000) {
            long when = at;
            int action = random.nextInt(6);
            long duration = 2_000 + random.nextInt(6_000);
            switch (action) {
                case 0 -> at(cluster, when, () -> {
                    List<NodeId> up = cluster.upNodes();
                    if (up.size() > NODES - 2 && wiped.isEmpty()) {
                        cluster.crash(up.get(random.nextInt(up.size())));
                    }
                });
                case 5 -> at(cluster, when, () -> {
                    // Losing a disk: only while every node is up and has its data, so no
                    // acknowledged write can have lived on this node alone.
                    List<NodeId> up = cluster.upNodes();
                    boolean allVoting = up.size() == NODES && up.stream().noneMatch(n -> cluster.node(n).isRecovering());
                    if (allVoting && wiped.isEmpty()) {
                        NodeId victim = up.get(random.nextInt(up.size()));
                        cluster.crash(victim);
                        cluster.wipe(victim);
                        wiped.add(victim);
                    }
                });
                case 1 -> at(cluster, when, () -> {
                    for (NodeId node : cluster.nodeIds()) {
                        if (!cluster.isUp(node)) {
                            cluster.restart(node);
                            return;
                        }
                    }
                });
                case 2 -> {
                    Set<NodeId> side = new HashSet<>();
                    int size = 1 + random.nextInt(NODES / 2);
                    while (side.size() < size) {
                        side.add(NodeId.of(1 + random.nextInt(NODES)));
                    }
                    at(cluster, when, () -> cluster.partition(side));
                    at(cluster, when + duration, cluster::heal);
                }
                case 3 -> {
                    at(cluster, when, () -> cluster.network().dropRate(0.25));
                    at(cluster, when + duration, () -> cluster.network().dropRate(0.02));
                }
                default -> {
                    at(cluster, when, () -> cluster.network().latency(50, 600));
                    at(cluster, when + duration, () -> cluster.network().latency(1, 20));
                }
            }
            at += 1_500 + random.nextInt(4_000);
        }
    }

    /** Everything that is not (yet) as it must be once the cluster has settled. */
    private static List<String> problems(SimCluster cluster, List<Acked> acknowledged) {
        List<String> problems = new ArrayList<>();
        Map<String, Entry> agreed = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "key" + k;
            List<NodeId> replicas = cluster.ring().replicasOf(bytes(key));
            Entry first = cluster.localEntry(replicas.get(0), key);
            for (NodeId replica : replicas) {
                Entry entry = cluster.localEntry(replica, key);
                if (!Objects.equals(entry, first)) {
                    problems.add("diverged " + key + ": " + replicas.get(0) + " has " + first + ", " + replica + " has " + entry);
                }
            }
            agreed.put(key, first);
        }
        for (Acked write : acknowledged) {
            if (write.consistency() == Consistency.ONE) {
                continue;
            }
            Entry stored = agreed.get(write.key());
            if (stored == null || stored.version().compareTo(write.version()) < 0) {
                problems.add("lost " + write + ": replicas hold " + stored);
            }
        }
        return problems;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
