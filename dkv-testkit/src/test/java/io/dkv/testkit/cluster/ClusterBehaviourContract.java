package io.dkv.testkit.cluster;

import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.membership.register.RingConflictException;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.testkit.membership.LabelledRings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Cluster behaviour that must hold whatever the transport: written once, run on the
 * simulator and on real sockets by subclassing (as Apache Ratis does).
 */
public abstract class ClusterBehaviourContract {

    protected TestCluster cluster;

    /**
     * Starts a cluster with this shape and a replica timeout of at most a second.
     *
     * @param sloppy whether hinted handoff (and so sloppy quorums with stand-ins) is on
     */
    protected abstract TestCluster start(int nodes, int replicas, boolean sloppy);

    @BeforeEach
    void startCluster() {
        cluster = start(5, 3, true);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    private List<NodeId> replicasOf(String key) {
        return cluster.ring().replicasOf(key.getBytes());
    }

    private NodeId nonReplica(String key) {
        return cluster.nodeIds().stream().filter(n -> !replicasOf(key).contains(n)).findFirst().orElseThrow();
    }

    @Test
    void aQuorumWriteIsReadBackAtQuorumThroughEveryNode() {
        cluster.put(NodeId.of(1), "city", "Lisbon", Consistency.QUORUM);

        for (NodeId node : cluster.nodeIds()) {
            assertThat(cluster.get(node, "city", Consistency.QUORUM)).as("through %s", node).isEqualTo("Lisbon");
        }
    }

    @Test
    void aScanThroughAnyNodeFindsEveryKeyOnceAndNoDeletedOne() {
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            cluster.put(NodeId.of(1 + i % 5), "scan-" + i, "v", Consistency.QUORUM);
            expected.add("scan-" + i);
        }
        for (int i = 0; i < 40; i += 8) {
            cluster.delete(NodeId.of(2), "scan-" + i, Consistency.QUORUM);
            expected.remove("scan-" + i);
        }

        List<String> scanned = cluster.scanAll(NodeId.of(3), 100);

        assertThat(scanned).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aMissingKeyReadsAsNull() {
        assertThat(cluster.get(NodeId.of(2), "nobody-wrote-this", Consistency.ALL)).isNull();
    }

    @Test
    void deletesWinLikeWritesAndReportWhetherAValueExisted() {
        cluster.put(NodeId.of(1), "temp", "x", Consistency.ALL);

        assertThat(cluster.delete(NodeId.of(2), "temp", Consistency.QUORUM).hadValue()).isTrue();
        assertThat(cluster.get(NodeId.of(3), "temp", Consistency.QUORUM)).isNull();
        // The QUORUM delete was answered after two replicas; once the third has the tombstone
        // too, no replica holds a value, so a second delete reports none.
        cluster.eventually(() -> assertThat(replicasOf("temp"))
                .allSatisfy(replica -> assertThat(cluster.localEntry(replica, "temp")).isNotNull()
                        .satisfies(entry -> assertThat(entry.isTombstone()).isTrue())));
        assertThat(cluster.delete(NodeId.of(4), "temp", Consistency.QUORUM).hadValue()).isFalse();
    }

    @Test
    void withOneReplicaDownQuorumStillWorks() {
        String key = "one-down";
        cluster.crash(replicasOf(key).get(0));
        NodeId coordinator = nonReplica(key);

        cluster.put(coordinator, key, "v1", Consistency.QUORUM);

        assertThat(cluster.get(coordinator, key, Consistency.QUORUM)).isEqualTo("v1");
    }

    @Test
    void withTwoReplicasDownAStrictQuorumFailsClearlyButOneWorks() {
        cluster.close();
        cluster = start(5, 3, false);
        String key = "two-down";
        NodeId coordinator = nonReplica(key);
        // Over TCP, a node that gossiped to a peer not yet listening backs off from it for a
        // moment after the cluster starts; ALL needs every replica, so wait until it is reachable.
        await().atMost(Duration.ofSeconds(30)).ignoreException(NotEnoughReplicasException.class)
                .untilAsserted(() -> cluster.put(coordinator, key, "before", Consistency.ALL));
        cluster.crash(replicasOf(key).get(1));
        cluster.crash(replicasOf(key).get(2));

        assertThatThrownBy(() -> cluster.put(coordinator, key, "after", Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageMatching("write failed: [01] of 2 required replicas answered.*");
        assertThatThrownBy(() -> cluster.get(coordinator, key, Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class);

        cluster.put(coordinator, key, "after", Consistency.ONE);
        assertThat(cluster.get(coordinator, key, Consistency.ONE)).isEqualTo("after");
    }

    @Test
    void withTwoReplicasDownASloppyQuorumWritesToStandInsAndHandsOffLater() {
        String key = "two-down-sloppy";
        NodeId coordinator = nonReplica(key);
        NodeId first = replicasOf(key).get(0);
        NodeId second = replicasOf(key).get(1);
        cluster.crash(first);
        cluster.crash(second);

        // Stand-ins take part only once the detector has marked both replicas down; until
        // then the write waits for them and fails.
        cluster.eventually(() -> assertThat(cluster.put(coordinator, key, "kept-by-stand-ins", Consistency.QUORUM).sloppy())
                .isTrue());
        // Reads ask replicas only: QUORUM cannot be met, ONE reads the surviving replica.
        assertThatThrownBy(() -> cluster.get(coordinator, key, Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class);
        assertThat(cluster.get(coordinator, key, Consistency.ONE)).isEqualTo("kept-by-stand-ins");

        cluster.restart(first);
        cluster.restart(second);
        cluster.eventually(() -> {
            for (NodeId replica : replicasOf(key)) {
                assertThat(cluster.localEntry(replica, key)).as("replica %s", replica).isNotNull();
                assertThat(new String(cluster.localEntry(replica, key).value())).isEqualTo("kept-by-stand-ins");
            }
        });
    }

    @Test
    void readsRepairAReplicaThatMissedAWrite() {
        String key = "repair-me";
        NodeId lagging = replicasOf(key).get(2);
        NodeId coordinator = nonReplica(key);
        cluster.crash(lagging);
        cluster.put(coordinator, key, "fresh", Consistency.QUORUM);
        cluster.restart(lagging);

        // Right after a restart a peer may still be backing off its reconnection: retry.
        cluster.eventually(() -> assertThat(cluster.get(coordinator, key, Consistency.ALL)).isEqualTo("fresh"));

        cluster.eventually(() -> assertThat(cluster.localEntry(lagging, key))
                .isEqualTo(cluster.localEntry(replicasOf(key).get(0), key)));
    }

    /**
     * A read coordinated by a replica takes the value from itself and versions (digests) from
     * the others; when they are newer, the value is fetched from one of them.
     */
    @Test
    void aStaleCoordinatingReplicaIsOutvotedByNewerDigests() {
        String key = "outvoted";
        NodeId stale = replicasOf(key).get(0);
        NodeId other = replicasOf(key).get(1);
        cluster.put(other, key, "old", Consistency.ALL);
        cluster.crash(stale);
        cluster.put(other, key, "new", Consistency.QUORUM);
        cluster.restart(stale);

        // The first read already answers right (read repair would hide a wrong first answer).
        assertThat(cluster.get(stale, key, Consistency.QUORUM)).isEqualTo("new");
        cluster.eventually(() -> assertThat(cluster.localEntry(stale, key)).isNotNull()
                .satisfies(entry -> assertThat(new String(entry.value())).isEqualTo("new")));
    }

    @Test
    void concurrentWritersThroughEveryNodeConvergeOnOneValue() {
        String key = "contended";
        for (int round = 0; round < 10; round++) {
            for (NodeId node : cluster.nodeIds()) {
                cluster.putInBackground(node, key, node + "-" + round, Consistency.ONE);
            }
        }
        cluster.awaitBackgroundWork();

        cluster.eventually(() -> {
            List<Entry> stored = replicasOf(key).stream().map(n -> cluster.localEntry(n, key)).toList();
            assertThat(stored).doesNotContainNull().allMatch(entry -> entry.equals(stored.get(0)));
        });
        String winner = cluster.get(NodeId.of(1), key, Consistency.ALL);
        for (NodeId node : cluster.nodeIds()) {
            assertThat(cluster.get(node, key, Consistency.ONE)).isEqualTo(winner);
        }
    }

    @Test
    void aRingChangeIsCommittedOnceAndReachesEveryNodeEvenWithAMemberDown() {
        cluster.crash(NodeId.of(5));
        byte[] next = LabelledRings.value(cluster.nodeIds(), "epoch 2");

        Committed committed = cluster.proposeRing(NodeId.of(2), 1, next);

        assertThat(committed.epoch()).isEqualTo(2);
        assertThatThrownBy(() -> cluster.proposeRing(NodeId.of(4), 1, LabelledRings.value(cluster.nodeIds(), "other")))
                .isInstanceOf(RingConflictException.class).hasMessageContaining("epoch 2 already committed");
        cluster.restart(NodeId.of(5));
        cluster.eventually(() -> {
            for (NodeId node : cluster.nodeIds()) {
                assertThat(cluster.currentRing(node)).as("ring at %s", node).isEqualTo(committed);
            }
        });
    }
}
