package io.dkv.testkit.sim;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.version.HybridLogicalClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What last-write-wins does when wall clocks disagree (docs/ARCHITECTURE.md, "Clock skew").
 * One coordinator's clock runs 30 s ahead, another's 30 s behind.
 */
class ClockSkewTest {

    private static final long SKEW = 30_000;

    private final SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(3).start();
    private final String key = "skewed";
    private final List<NodeId> replicas = cluster.ring().replicasOf(key.getBytes());
    private final List<NodeId> others = cluster.nodeIds().stream().filter(n -> !replicas.contains(n)).toList();
    private final NodeId fast = others.get(0);
    private final NodeId slow = others.get(1);

    ClockSkewTest() {
        cluster.skewClock(fast, SKEW);
        cluster.skewClock(slow, -SKEW);
    }

    @Test
    void aNodesOwnWritesStayInOrderEvenWhenItsClockJumpsBack() {
        SimClient client = cluster.client(slow);
        WriteResult first = client.put(key, "1");
        cluster.skewClock(slow, -SKEW - 60_000);
        cluster.runFor(Duration.ofMillis(10));
        WriteResult second = client.put(key, "2");
        WriteResult third = client.put(key, "3");

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(third.version()).isGreaterThan(second.version());
        assertThat(client.get(key, Consistency.ALL)).isEqualTo("3");
    }

    /**
     * The anomaly LWW is known for: the slow node's write comes a second later in real time
     * but carries a stamp 59 s older, so the fast node's earlier write wins. Neither
     * coordinator is a replica of the key, so the slow one never saw the fast one's stamp.
     */
    @Test
    void aWriteStampedByAFastClockBeatsALaterWriteFromASlowOneThatNeverSawIt() {
        cluster.client(fast).put(key, "from-the-fast-clock");
        cluster.runFor(Duration.ofSeconds(1));
        WriteResult later = cluster.client(slow).put(key, "from-the-slow-clock");

        assertThat(HybridLogicalClock.physicalMillis(later.version().stamp()))
                .isLessThan(HybridLogicalClock.physicalMillis(cluster.client(fast).read(key, Consistency.ALL).version().stamp()));
        assertThat(cluster.client(slow).get(key, Consistency.ALL)).isEqualTo("from-the-fast-clock");
    }

    /** Hybrid logical clocks repair it as soon as the slow node has seen the fast stamp, e.g. by reading first. */
    @Test
    void aSlowNodeThatHasReadTheFastStampWritesAfterIt() {
        cluster.client(fast).put(key, "from-the-fast-clock");
        cluster.runFor(Duration.ofSeconds(1));
        SimClient slowClient = cluster.client(slow);
        assertThat(slowClient.get(key, Consistency.QUORUM)).isEqualTo("from-the-fast-clock");

        slowClient.put(key, "read-then-written");

        assertThat(cluster.client(fast).get(key, Consistency.ALL)).isEqualTo("read-then-written");
    }

    /** Replicas observe every stamp they store, so writes they coordinate later are ordered after it. */
    @Test
    void aReplicaThatStoredTheFastStampOrdersItsOwnLaterWritesAfterIt() {
        NodeId replica = replicas.get(0);
        cluster.skewClock(replica, -SKEW);
        cluster.client(fast).put(key, "from-the-fast-clock", Consistency.ALL);
        cluster.runFor(Duration.ofSeconds(1));

        cluster.client(replica).put(key, "from-a-slow-replica");

        assertThat(cluster.client(fast).get(key, Consistency.ALL)).isEqualTo("from-a-slow-replica");
    }
}
