package io.dkv.testkit.sim;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What last-write-wins does when wall clocks disagree (docs/ARCHITECTURE.md, "Clock skew"):
 * within {@code max-clock-skew-ms} (500 ms by default) the classic anomaly and how hybrid
 * logical clocks repair it; beyond it, versions are refused so that one bad clock cannot
 * drag the cluster's clocks into the future.
 */
class ClockSkewTest {

    private static final long SKEW = 200;

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
     * The anomaly LWW is known for: the slow node's write comes 100 ms later in real time
     * but carries a stamp 300 ms older, so the fast node's earlier write wins. Neither
     * coordinator is a replica of the key, so the slow one never saw the fast one's stamp.
     */
    @Test
    void aWriteStampedByAFastClockBeatsALaterWriteFromASlowOneThatNeverSawIt() {
        cluster.client(fast).put(key, "from-the-fast-clock");
        cluster.runFor(Duration.ofMillis(100));
        WriteResult later = cluster.client(slow).put(key, "from-the-slow-clock");

        assertThat(HybridLogicalClock.physicalMillis(later.version().stamp()))
                .isLessThan(HybridLogicalClock.physicalMillis(cluster.client(fast).read(key, Consistency.ALL).version().stamp()));
        assertThat(cluster.client(slow).get(key, Consistency.ALL)).isEqualTo("from-the-fast-clock");
    }

    /** Hybrid logical clocks repair it as soon as the slow node has seen the fast stamp, e.g. by reading first. */
    @Test
    void aSlowNodeThatHasReadTheFastStampWritesAfterIt() {
        cluster.client(fast).put(key, "from-the-fast-clock");
        cluster.runFor(Duration.ofMillis(100));
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
        cluster.runFor(Duration.ofMillis(100));

        cluster.client(replica).put(key, "from-a-slow-replica");

        assertThat(cluster.client(fast).get(key, Consistency.ALL)).isEqualTo("from-a-slow-replica");
    }

    /**
     * A node whose clock is a minute ahead: every replica refuses its writes with an error
     * naming it, counts the refusal, and does not adopt the stamp, so its own later writes
     * are not dragged a minute into the future.
     */
    @Test
    void versionsFurtherAheadThanTheBoundAreRefusedAndAdoptedByNoClock() {
        NodeId runaway = others.get(0);
        cluster.skewClock(runaway, 60_000);

        assertThatThrownBy(() -> cluster.client(runaway).put(key, "from-the-future", Consistency.ONE))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("CLOCKSKEW")
                .hasMessageContaining("stamped by " + runaway);

        for (NodeId replica : replicas) {
            assertThat(cluster.node(replica).metrics().clockSkewRefusals.sum()).as("refusals counted on %s", replica).isPositive();
            assertThat(cluster.node(replica).metrics().lastSkewedWriter).isEqualTo(runaway.number());
            assertThat(cluster.localEntry(replica, key)).isNull();
        }
        WriteResult honest = cluster.client(replicas.get(0)).put(key, "now", Consistency.QUORUM);
        long trueNow = cluster.simulation().now();
        assertThat(HybridLogicalClock.physicalMillis(honest.version().stamp()) - SimClock.EPOCH_MILLIS)
                .as("a replica's next stamp stays near true time").isLessThan(trueNow + 1_000);
    }

    /**
     * An entry from the future that reached one replica's storage anyway (e.g. written
     * before the bound existed) is not spread by anti-entropy: the peers refuse it, and the
     * partition is left alone for a while instead of being sent again every round.
     */
    @Test
    void antiEntropyDoesNotResendARefusedEntryInALoop() {
        NodeId holder = replicas.get(0);
        long future = HybridLogicalClock.stampOf(SimClock.EPOCH_MILLIS + cluster.simulation().now() + 3_600_000);
        MergeResult planted = cluster.node(holder).storage().merge(cluster.ring().partitionOf(key.getBytes()), key.getBytes(),
                Entry.value("from-the-future".getBytes(), new Version(future, holder.number())));
        assertThat(planted.applied()).isTrue();

        cluster.runFor(Duration.ofSeconds(30));
        long refusedAfter30s = refusals();
        cluster.runFor(Duration.ofSeconds(30));
        long refusedAfter60s = refusals();

        assertThat(refusedAfter30s).as("the peers refused the entry").isPositive();
        assertThat(refusedAfter60s - refusedAfter30s).as("refusals in the next 30 s (partition backed off)")
                .isLessThan(6);
        for (NodeId replica : replicas.subList(1, 3)) {
            assertThat(cluster.localEntry(replica, key)).as("%s did not take it", replica).isNull();
        }
    }

    private long refusals() {
        return cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).metrics().clockSkewRefusals.sum()).sum();
    }
}
