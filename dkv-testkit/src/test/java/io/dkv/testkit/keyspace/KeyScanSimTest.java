package io.dkv.testkit.keyspace;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cluster-wide key scans (SCAN, DBSIZE, RANDOMKEY) in the simulator: every key a QUORUM
 * write acknowledged is found, and none a QUORUM delete removed, while a replica is down
 * and another lags behind; with too few replicas up a scan fails instead of skipping keys.
 */
class KeyScanSimTest {

    /** Without hints or anti-entropy, a node that was down stays behind: only the union of replicas has every key. */
    private final SimCluster cluster = SimCluster.builder().nodes(3).replicas(3).seed(13)
            .config(c -> c.partitions(64).replicaTimeoutMillis(500)
                    .handoff(c.handoff().withEnabled(false))
                    .repair(c.repair().withAntiEntropyEnabled(false)))
            .start();
    private final List<NodeId> nodes = cluster.nodeIds();

    @Test
    void aScanWithOneNodeDownAndOneBehindFindsEveryQuorumWriteAndNoQuorumDelete() {
        SimClient client = cluster.client(nodes.get(2));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            client.put("early-" + i, "v", Consistency.QUORUM);
            expected.add("early-" + i);
        }
        // n1 misses what follows: new keys, and deletes of early ones.
        cluster.crash(nodes.get(0));
        for (int i = 0; i < 200; i++) {
            client.put("late-" + i, "v", Consistency.QUORUM);
            expected.add("late-" + i);
        }
        for (int i = 0; i < 200; i += 5) {
            client.delete("early-" + i, Consistency.QUORUM);
            expected.remove("early-" + i);
        }
        cluster.restart(nodes.get(0));
        cluster.crash(nodes.get(1));
        ClusterNode coordinator = cluster.node(nodes.get(0));

        for (int count : new int[]{1, 7, 1000}) {
            assertThat(scanAll(coordinator, count)).as("COUNT %d", count).isEqualTo(expected);
        }
        assertThat(cluster.await(coordinator.countKeys())).isEqualTo(expected.size());
        byte[] random = cluster.await(coordinator.randomKey());
        assertThat(expected).contains(new String(random, StandardCharsets.UTF_8));
        // n1 alone still holds the deleted keys' values: the scan did not take one replica's word for it.
        assertThat(cluster.localEntry(nodes.get(0), "early-0").isTombstone()).isFalse();
        assertThat(cluster.localEntry(nodes.get(0), "late-0")).isNull();
    }

    @Test
    void withTooFewReplicasUpAScanFailsAndTheSameCursorWorksOnceTheyAreBack() {
        SimClient client = cluster.client(nodes.get(0));
        for (int i = 0; i < 50; i++) {
            client.put("key-" + i, "v", Consistency.ALL);
        }
        ClusterNode coordinator = cluster.node(nodes.get(0));
        ScanPage first = cluster.await(coordinator.scan(0, 5));
        assertThat(first.complete()).isFalse();
        cluster.crash(nodes.get(1));
        cluster.crash(nodes.get(2));

        assertThatThrownBy(() -> cluster.await(coordinator.scan(first.cursor(), 5)))
                .satisfies(e -> assertThat(e instanceof CompletionException ? e.getCause() : e)
                        .isInstanceOf(NotEnoughReplicasException.class)
                        .hasMessageContaining("scan failed")
                        .hasMessageContaining("retry with the same cursor"));
        assertThatThrownBy(() -> cluster.await(coordinator.countKeys())).hasMessageContaining("scan failed");

        cluster.restart(nodes.get(1));
        cluster.runFor(Duration.ofSeconds(10));
        Set<String> seen = new HashSet<>();
        first.keys().forEach(key -> seen.add(new String(key, StandardCharsets.UTF_8)));
        seen.addAll(scanFrom(coordinator, first.cursor(), 5));
        assertThat(seen).hasSize(50);
    }

    /**
     * n4 joins while a scan is under way, a step at a time: partitions move to it and the
     * nodes that gave them up refuse reads by the old ring; the scan still finds every key,
     * each once.
     */
    @Test
    void aScanThatSpansARingChangeFindsEveryKey() {
        NodeId newcomer = NodeId.of(4);
        cluster.addNode(newcomer);
        SimClient client = cluster.client(nodes.get(0));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            client.put("moving-" + i, "v", Consistency.QUORUM);
            expected.add("moving-" + i);
        }
        ClusterNode coordinator = cluster.node(nodes.get(1));
        Set<String> seen = new HashSet<>();
        ScanPage page = cluster.await(coordinator.scan(0, 10));
        page.keys().forEach(key -> seen.add(new String(key, StandardCharsets.UTF_8)));
        long epochBefore = cluster.ring().epoch();
        var change = cluster.node(nodes.get(0)).join(newcomer);
        int steps = 0;
        int stepsOnTheNewRing = 0;
        while (!page.complete()) {
            cluster.runFor(Duration.ofMillis(200));
            if (coordinator.ring().epoch() > epochBefore) {
                stepsOnTheNewRing++;
            }
            page = cluster.await(coordinator.scan(page.cursor(), 10));
            for (byte[] key : page.keys()) {
                assertThat(seen.add(new String(key, StandardCharsets.UTF_8))).as("returned once").isTrue();
            }
            assertThat(++steps).isLessThan(10_000);
        }
        cluster.await(change);
        assertThat(stepsOnTheNewRing).as("steps after the new ring was installed").isPositive();
        assertThat(stepsOnTheNewRing).as("steps before it").isLessThan(steps);
        assertThat(seen).isEqualTo(expected);
        assertThat(scanAll(cluster.node(newcomer), 50)).isEqualTo(expected);
    }

    /**
     * DBSIZE's estimate from the replicas' counters: exact while the replicas agree, with a
     * replica down, and after a flush whose hidden entries no node has dropped yet.
     */
    @Test
    void theCountersEstimateMatchesTheScanWhileReplicasAgree() {
        SimClient client = cluster.client(nodes.get(0));
        for (int i = 0; i < 300; i++) {
            client.put("counted-" + i, "v", Consistency.ALL);
        }
        for (int i = 0; i < 300; i += 3) {
            client.delete("counted-" + i, Consistency.ALL);
        }
        ClusterNode coordinator = cluster.node(nodes.get(1));
        assertThat(cluster.await(coordinator.estimateKeys())).isEqualTo(200L);
        assertThat(cluster.await(coordinator.countKeys())).isEqualTo(200L);

        cluster.await(coordinator.flushAll(false));
        assertThat(cluster.await(coordinator.estimateKeys())).as("just after an ASYNC flush").isZero();
        cluster.runFor(Duration.ofSeconds(5));
        assertThat(cluster.await(coordinator.estimateKeys())).as("once the hidden entries are dropped").isZero();
        for (int i = 0; i < 30; i++) {
            client.put("after-the-flush-" + i, "v", Consistency.ALL);
        }
        cluster.crash(nodes.get(2));
        assertThat(cluster.await(coordinator.estimateKeys())).as("with n3 down").isEqualTo(30L);
    }

    /**
     * RANDOMKEY weighs partitions by their counts, then picks uniformly inside one: 40 keys
     * spread over 64 partitions, 4000 draws, about 100 each. Picking the first key after a
     * random hash instead makes a key's chance its gap in hash order, some keys drawn 3 to 5
     * times as often as the mean, others almost never.
     */
    @Test
    void randomKeyDrawsEveryKeyAboutAsOften() {
        SimClient client = cluster.client(nodes.get(0));
        Map<String, Integer> draws = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            client.put("drawn-" + i, "v", Consistency.ALL);
            draws.put("drawn-" + i, 0);
        }
        ClusterNode coordinator = cluster.node(nodes.get(1));
        for (int i = 0; i < 4000; i++) {
            draws.merge(new String(cluster.await(coordinator.randomKey()), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        assertThat(draws).hasSize(40);
        assertThat(draws.values()).as("draws per key (binomial: mean 100, sd 10)").allMatch(n -> n >= 55 && n <= 150);
    }

    @Test
    void anEmptyClusterScansToTheEndAndHasNoRandomKey() {
        ClusterNode coordinator = cluster.node(nodes.get(1));
        assertThat(scanAll(coordinator, 10)).isEmpty();
        assertThat(cluster.await(coordinator.countKeys())).isZero();
        assertThat(cluster.await(coordinator.estimateKeys())).isZero();
        assertThat(cluster.await(coordinator.randomKey())).isNull();
    }

    private Set<String> scanAll(ClusterNode node, int count) {
        return scanFrom(node, 0, count);
    }

    private Set<String> scanFrom(ClusterNode node, long cursor, int count) {
        Set<String> keys = new HashSet<>();
        int steps = 0;
        do {
            ScanPage page = cluster.await(node.scan(cursor, count));
            for (byte[] key : page.keys()) {
                assertThat(keys.add(new String(key, StandardCharsets.UTF_8))).as("returned once").isTrue();
            }
            cursor = page.cursor();
            assertThat(++steps).as("steps").isLessThan(10_000);
        } while (cursor != 0);
        return keys;
    }
}
