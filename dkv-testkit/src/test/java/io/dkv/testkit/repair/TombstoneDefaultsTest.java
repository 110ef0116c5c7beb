package io.dkv.testkit.repair;

import io.dkv.cluster.config.RepairConfig;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tombstones are collected with the default sweep and anti-entropy intervals; only the
 * grace period is shortened (and the hint window below it, as the settings require). The
 * replicas sweep at different moments, a minute apart by default, so for a while one has
 * purged a tombstone the others still hold: anti-entropy must not hand it back then, or
 * collection starts over on that replica and, with a long sweep interval, rarely finishes.
 */
class TombstoneDefaultsTest {

    private static final long GRACE_MILLIS = 30_000;
    private static final long SWEEP_MILLIS = RepairConfig.DEFAULT.tombstoneSweepIntervalMillis();

    static LongStream seeds() {
        return Seeds.seeds(3);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aDeletedKeyIsPurgedOnEveryReplicaAndStaysPurged(long seed) {
        String run = Seeds.describe(TombstoneDefaultsTest.class, "TombstoneDefaultsTest.purgedAndStaysPurged", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(seed)
                .config(c -> c.handoff(c.handoff().withMaxAgeMillis(GRACE_MILLIS / 2))
                        .repair(c.repair().withTombstoneGraceMillis(GRACE_MILLIS)))
                .start();
        assertThat(cluster.config().repair().tombstoneSweepIntervalMillis()).isEqualTo(60_000);
        assertThat(cluster.config().repair().antiEntropyIntervalMillis())
                .isEqualTo(RepairConfig.DEFAULT.antiEntropyIntervalMillis());
        String key = "doomed";
        List<NodeId> replicas = cluster.ring().replicasOf(key.getBytes());
        SimClient client = cluster.client(replicas.get(0));
        client.put(key, "value", Consistency.ALL);
        client.delete(key, Consistency.ALL);
        assertThat(replicas).allSatisfy(replica -> assertThat(cluster.localEntry(replica, key).isTombstone())
                .as("%s: tombstone on %s", run, replica).isTrue());

        boolean purged = cluster.runUntilSettled(() -> replicas.stream().allMatch(r -> cluster.localEntry(r, key) == null),
                Duration.ofMillis(GRACE_MILLIS + 4 * SWEEP_MILLIS));
        assertThat(purged).as("%s: purged on every replica within grace + 4 sweep intervals; left: %s", run,
                replicas.stream().filter(r -> cluster.localEntry(r, key) != null).toList()).isTrue();

        for (int second = 0; second < 6 * 60; second++) {
            cluster.runFor(Duration.ofSeconds(1));
            for (NodeId node : cluster.nodeIds()) {
                assertThat(cluster.localEntry(node, key)).as("%s: %s holds %s again %d s after the purge", run, node,
                        key, second + 1).isNull();
            }
        }
        long purges = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().tombstonesPurged.sum()).sum();
        assertThat(purges).as("%s: each replica purged its tombstone exactly once", run).isEqualTo(3);
        assertThat(client.get(key, Consistency.ALL)).as(run).isNull();
    }
}
