package io.dkv.testkit.repair;

import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tombstones live at least the grace period and then until every replica has them; a
 * replica that was down longer than the grace period cannot bring a deleted value back.
 */
class TombstoneCollectionTest {

    private static final long GRACE = 20_000;

    private final SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(4)
            .config(c -> c.handoff(c.handoff().withMaxAgeMillis(5_000))
                    .repair(c.repair().withTombstoneGraceMillis(GRACE).withTombstoneSweepIntervalMillis(1_000)
                            .withAntiEntropyIntervalMillis(100)))
            .start();
    private final String key = "doomed";
    private final List<NodeId> replicas = cluster.ring().replicasOf(key.getBytes());
    private final NodeId coordinator = cluster.nodeIds().stream().filter(n -> !replicas.contains(n)).findFirst().orElseThrow();

    @Test
    void tombstonesArePurgedAfterTheGracePeriodOnceEveryReplicaHasThem() {
        SimClient client = cluster.client(coordinator);
        client.put(key, "value", Consistency.ALL);
        client.delete(key, Consistency.ALL);

        cluster.runFor(Duration.ofMillis(GRACE / 2));
        assertThat(replicas).allSatisfy(replica -> assertThat(cluster.localEntry(replica, key)).isNotNull()
                .satisfies(entry -> assertThat(entry.isTombstone()).isTrue()));

        assertThat(cluster.runUntilSettled(() -> replicas.stream().allMatch(r -> cluster.localEntry(r, key) == null),
                Duration.ofMillis(GRACE * 2))).isTrue();
        assertThat(client.get(key, Consistency.ALL)).isNull();
        long purged = cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().tombstonesPurged.sum()).sum();
        assertThat(purged).isEqualTo(3);
    }

    /**
     * The resurrection case: a replica holding the old value is down when the delete happens
     * and stays down past the grace period (and past the hint window, so its hint is gone).
     * Purging then would let its old value come back through repair. dkv keeps the tombstones
     * while a replica cannot confirm, repairs the returning replica, and only then purges.
     */
    @Test
    void aReplicaDownLongerThanTheGracePeriodCannotResurrectADeletedValue() {
        SimClient client = cluster.client(coordinator);
        client.put(key, "old-value", Consistency.ALL);
        NodeId absent = replicas.get(2);
        cluster.crash(absent);
        client.delete(key, Consistency.QUORUM);

        cluster.runFor(Duration.ofMillis(GRACE * 2));
        assertThat(cluster.localEntry(absent, key).isTombstone()).as("the absent replica still holds the old value").isFalse();
        for (NodeId replica : replicas.subList(0, 2)) {
            assertThat(cluster.localEntry(replica, key)).as("tombstone kept on %s while %s is away", replica, absent)
                    .isNotNull().satisfies(entry -> assertThat(entry.isTombstone()).isTrue());
        }

        cluster.restart(absent);
        // Any quorum includes a replica holding the tombstone, so quorum reads never see the old value.
        for (int i = 0; i < 10; i++) {
            cluster.runFor(Duration.ofSeconds(3));
            for (NodeId node : cluster.nodeIds()) {
                assertThat(cluster.client(node).get(key, Consistency.QUORUM)).as("read through %s", node).isNull();
            }
        }
        assertThat(cluster.runUntilSettled(() -> replicas.stream().allMatch(r -> cluster.localEntry(r, key) == null),
                Duration.ofMillis(GRACE * 3))).as("tombstones purged once the returning replica has one").isTrue();
        Entry nowhere = cluster.localEntry(absent, key);
        assertThat(nowhere).isNull();
        cluster.runFor(Duration.ofMillis(GRACE));
        for (NodeId node : cluster.nodeIds()) {
            assertThat(cluster.client(node).get(key, Consistency.ONE)).as("read at ONE through %s", node).isNull();
        }
    }
}
