package io.dkv.testkit.sim;

import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Crashed replicas, before any failure detection: requests time out on them. */
class ReplicaFailureTest {

    private final SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(5)
            .config(c -> c.replicaTimeoutMillis(500)).start();
    private final String key = "account:42";
    private final List<NodeId> replicas = cluster.ring().replicasOf(key.getBytes());
    private final NodeId coordinator = cluster.nodeIds().stream()
            .filter(n -> !replicas.contains(n)).findFirst().orElseThrow();

    @Test
    void withOneReplicaDownQuorumReadsAndWritesSucceed() {
        cluster.crash(replicas.get(0));
        SimClient client = cluster.client(coordinator);

        client.put(key, "100", Consistency.QUORUM);

        assertThat(client.get(key, Consistency.QUORUM)).isEqualTo("100");
        assertThat(cluster.localEntry(replicas.get(1), key)).isNotNull();
        assertThat(cluster.localEntry(replicas.get(2), key)).isNotNull();
    }

    @Test
    void withTwoReplicasDownAStrictQuorumFailsClearlyAndOneSucceeds() {
        SimCluster strict = SimCluster.builder().nodes(5).replicas(3).seed(5)
                .config(c -> c.replicaTimeoutMillis(500).handoff(c.handoff().withEnabled(false))).start();
        SimCluster cluster = strict;
        SimClient client = cluster.client(coordinator);
        client.put(key, "before", Consistency.ALL);
        cluster.crash(replicas.get(0));
        cluster.crash(replicas.get(2));

        assertThatThrownBy(() -> client.put(key, "after", Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("write failed: 1 of 2 required replicas answered")
                .hasMessageContaining(replicas.get(0) + ": timed out after 500 ms")
                .hasMessageContaining(replicas.get(2) + ": timed out after 500 ms");
        assertThatThrownBy(() -> client.get(key, Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("read failed: 1 of 2 required replicas answered");

        client.put(key, "after", Consistency.ONE);
        assertThat(client.get(key, Consistency.ONE)).isEqualTo("after");
    }

    /**
     * Two replicas crashed: until the detector marks them down, a QUORUM write waits for
     * them and fails (a slow replica is never replaced); once they are marked down, stand-ins
     * take the write (a sloppy quorum, outside the read guarantee). Reads never ask
     * stand-ins, so QUORUM reads fail while ONE reads the surviving replica.
     */
    @Test
    void withTwoReplicasDownASloppyQuorumSucceedsThroughStandInsOnceTheyAreMarkedDown() {
        cluster.crash(replicas.get(0));
        cluster.crash(replicas.get(2));
        SimClient client = cluster.client(coordinator);
        assertThatThrownBy(() -> client.put(key, "before-detection", Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("timed out after 500 ms");
        cluster.runFor(Duration.ofSeconds(15));

        assertThat(client.put(key, "via-stand-ins", Consistency.QUORUM).sloppy()).isTrue();

        assertThatThrownBy(() -> client.get(key, Consistency.QUORUM)).isInstanceOf(NotEnoughReplicasException.class);
        assertThat(client.get(key, Consistency.ONE)).isEqualTo("via-stand-ins");
        long hinted = cluster.nodeIds().stream()
                .mapToLong(n -> cluster.isUp(n) ? cluster.node(n).handoff().store().count() : 0).sum();
        assertThat(hinted).as("hints kept for the two down replicas").isGreaterThanOrEqualTo(2);
    }

    @Test
    void allFailsWithOneReplicaDownInAStrictQuorum() {
        SimCluster strict = SimCluster.builder().nodes(5).replicas(3).seed(5)
                .config(c -> c.replicaTimeoutMillis(500).handoff(c.handoff().withEnabled(false))).start();
        SimCluster cluster = strict;
        cluster.crash(replicas.get(1));
        SimClient client = cluster.client(coordinator);

        assertThatThrownBy(() -> client.put(key, "v", Consistency.ALL))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("2 of 3 required");
        assertThat(cluster.localEntry(replicas.get(0), key)).isNotNull();
    }

    @Test
    void aRestartedReplicaIsRepairedByTheNextRead() {
        SimClient client = cluster.client(coordinator);
        cluster.crash(replicas.get(0));
        client.put(key, "while-down", Consistency.QUORUM);
        cluster.restart(replicas.get(0));
        assertThat(cluster.localEntry(replicas.get(0), key)).isNull();

        assertThat(client.get(key, Consistency.ALL)).isEqualTo("while-down");
        cluster.runFor(Duration.ofSeconds(1));

        assertThat(cluster.localEntry(replicas.get(0), key)).isEqualTo(cluster.localEntry(replicas.get(1), key));
    }

    @Test
    void readRepairCanBeSwitchedOff() {
        // Anti-entropy and hints off too: either would repair the lagging replica within the second.
        SimCluster noRepair = SimCluster.builder().nodes(3).replicas(3).seed(5)
                .config(c -> c.readRepairChance(0).repair(c.repair().withAntiEntropyEnabled(false))
                        .handoff(c.handoff().withEnabled(false))).start();
        NodeId lagging = NodeId.of(3);
        noRepair.crash(lagging);
        noRepair.client(NodeId.of(1)).put(key, "v", Consistency.QUORUM);
        noRepair.restart(lagging);

        assertThat(noRepair.client(NodeId.of(1)).get(key, Consistency.ALL)).isEqualTo("v");
        noRepair.runFor(Duration.ofSeconds(1));

        assertThat(noRepair.localEntry(lagging, key)).isNull();
    }
}
