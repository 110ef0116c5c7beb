package io.dkv.testkit.quorum;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.version.Version;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who votes in a quorum (docs/ARCHITECTURE.md, "Quorums"): only a key's own replicas, only
 * those that have their data, and stand-ins only for writes when too few replicas are up.
 * Each test here failed before the rule it names was built.
 */
class QuorumGuaranteeTest {

    private static final Duration DETECTION = Duration.ofSeconds(15);

    /*
     * 256 partitions rather than the default 4096: a wiped replica compares every partition it
     * holds before it votes again, 16 roots per anti-entropy round, which with thousands of
     * partitions outlasts the 30 s these tests wait.
     */
    private final SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(11)
            .config(c -> c.replicaTimeoutMillis(300).partitions(256)).start();
    private final String key = "ledger";
    private final List<NodeId> replicas = cluster.ring().replicasOf(bytes(key));
    private final NodeId outsider = cluster.nodeIds().stream().filter(n -> !replicas.contains(n)).findFirst().orElseThrow();

    /** A stand-in's "absent" once outvoted a replica holding the key (two replicas down, read {A, S1, S2}). */
    @Test
    void withTwoReplicasDownAQuorumReadFailsRatherThanAnswerAbsent() {
        SimClient client = cluster.client(outsider);
        client.put(key, "balance-100", Consistency.ALL);
        cluster.crash(replicas.get(1));
        cluster.crash(replicas.get(2));
        cluster.runFor(DETECTION);

        assertThatThrownBy(() -> client.get(key, Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("only 1 of 3 replicas are up");
        assertThat(client.get(key, Consistency.ONE)).isEqualTo("balance-100");
    }

    /** While W replicas are up, a write needs W replica acks: a stand-in never stands in for a slow replica. */
    @Test
    void whileEnoughReplicasAreUpStandInsTakeNoPartAndMissedWritesAreHinted() {
        SimClient client = cluster.client(outsider);
        cluster.crash(replicas.get(0));
        cluster.runFor(DETECTION);

        WriteResult result = client.put(key, "v1", Consistency.QUORUM);

        assertThat(result.sloppy()).isFalse();
        for (NodeId node : cluster.nodeIds()) {
            if (!replicas.contains(node) && !node.equals(outsider)) {
                assertThat(cluster.node(node).handoff().store().count()).as("hints kept by stand-in %s", node).isZero();
            }
        }
        assertThat(cluster.node(outsider).handoff().store().get(replicas.get(0), cluster.ring().partitionOf(bytes(key)),
                bytes(key))).as("the coordinator keeps the write for the down replica").isNotNull();
        // A replica that is merely slow (partitioned, not yet marked down) is waited for, then the write fails.
        cluster.network().block(outsider, replicas.get(1));
        assertThatThrownBy(() -> client.put(key, "v2", Consistency.QUORUM))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining(replicas.get(1) + ": timed out");
    }

    /** With RF 1, a write taken by a stand-in was stored as its own data: never found, never handed back. */
    @Test
    void withOneReplicaPerKeyAStandInKeepsTheWriteAsAHintAndHandsItBack() {
        SimCluster single = SimCluster.builder().nodes(3).replicas(1).seed(12).config(c -> c.replicaTimeoutMillis(300)).start();
        NodeId owner = single.ring().replicasOf(bytes(key)).get(0);
        NodeId other = single.nodeIds().stream().filter(n -> !n.equals(owner)).findFirst().orElseThrow();
        single.crash(owner);
        single.runFor(DETECTION);

        WriteResult result = single.client(other).put(key, "kept-for-the-owner", Consistency.ONE);
        assertThat(result.sloppy()).isTrue();
        assertThat(single.nodeIds()).filteredOn(n -> !n.equals(owner))
                .allSatisfy(n -> assertThat(single.localEntry(n, key)).as("stand-in %s's own data", n).isNull());

        single.restart(owner);
        assertThat(single.runUntilSettled(() -> single.localEntry(owner, key) != null, Duration.ofSeconds(30))).isTrue();
        assertThat(single.client(other).get(key, Consistency.ONE)).isEqualTo("kept-for-the-owner");
    }

    /** Read repair once sent full values to stand-ins as hints: every read during an outage grew the hint store. */
    @Test
    void readsDuringAnOutageAddNoHints() {
        SimClient client = cluster.client(outsider);
        for (int i = 0; i < 30; i++) {
            client.put(key + i, "v" + i, Consistency.ALL);
        }
        cluster.crash(replicas.get(0));
        cluster.runFor(DETECTION);
        long hintsBefore = totalHints();

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 30; i++) {
                assertThat(client.get(key + i, Consistency.QUORUM)).isEqualTo("v" + i);
            }
        }

        assertThat(totalHints()).isEqualTo(hintsBefore);
    }

    /**
     * A replica that lost its data must not vote: after a delete, a read of {restarted,
     * lagging} returned the deleted value and repaired it back. Now the restarted replica is
     * recovering, refuses reads, and catches up from the others before it votes.
     */
    @Test
    void aReplicaThatLostItsDataDoesNotVoteUntilItHasComparedItsPartitions() {
        SimClient client = cluster.client(outsider);
        NodeId wiped = replicas.get(0);
        NodeId lagging = replicas.get(2);
        client.put(key, "deleted-later", Consistency.ALL);
        cluster.crash(lagging);
        client.delete(key, Consistency.QUORUM);
        cluster.restart(lagging);
        cluster.crash(wiped);
        cluster.wipe(wiped);
        cluster.restart(wiped);

        assertThat(cluster.node(wiped).isRecovering()).isTrue();
        Message refused = request(wiped, new ReadRequest(cluster.ring().partitionOf(bytes(key)), bytes(key)));
        assertThat(refused).isInstanceOfSatisfying(ErrorReply.class,
                error -> assertThat(error.message()).contains("is recovering"));
        Entry seen = client.read(key, Consistency.QUORUM);
        assertThat(seen).as("QUORUM read right after the restart").isNotNull()
                .satisfies(entry -> assertThat(entry.isTombstone()).isTrue());

        assertThat(cluster.runUntilSettled(() -> !cluster.node(wiped).isRecovering(), Duration.ofSeconds(30))).isTrue();
        assertThat(cluster.localEntry(wiped, key)).as("what the recovered replica holds").isNotNull()
                .satisfies(entry -> assertThat(entry.isTombstone()).isTrue());
        for (NodeId node : cluster.nodeIds()) {
            assertThat(cluster.client(node).get(key, Consistency.QUORUM)).as("through %s", node).isNull();
        }
    }

    /** A recovering replica's write ack does not count: the write needs W replicas that have their data. */
    @Test
    void aRecoveringReplicasAckDoesNotCount() {
        SimCluster strict = SimCluster.builder().nodes(3).replicas(3).seed(13)
                .config(c -> c.replicaTimeoutMillis(300)).start();
        NodeId wiped = NodeId.of(1);
        strict.crash(NodeId.of(2));
        strict.crash(wiped);
        strict.wipe(wiped);
        strict.restart(wiped);
        strict.runFor(Duration.ofMillis(100));
        assertThat(strict.node(wiped).isRecovering()).as("n2 is still presumed up, so n1 owes it comparisons").isTrue();

        assertThatThrownBy(() -> strict.client(NodeId.of(3)).put(key, "v", Consistency.ALL))
                .isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("recovering");
        assertThat(strict.localEntry(wiped, key)).as("the recovering replica still applied it").isNotNull();
    }

    /**
     * A hint may be for a node numbered beyond those the cluster started with (one that joined
     * since): it is kept, and replaying it while that node does not answer neither throws nor
     * loses it. A hint for the replica itself, or for a partition that does not exist, is refused.
     */
    @Test
    void aHintForANodeOutsideTheRingGoesToTheReplicasAndOneForTheReplicaItselfIsRefused() {
        NodeId replica = replicas.get(0);
        int partition = cluster.ring().partitionOf(bytes(key));
        Entry entry = Entry.value(bytes("x"), new Version(1_000, 1));

        Message kept = request(replica, new WriteRequest(partition, bytes(key), entry, NodeId.of(99)));
        assertThat(kept).isNotNull().isNotInstanceOf(ErrorReply.class);
        assertThat(cluster.node(replica).handoff().store().count()).isEqualTo(1);
        cluster.runFor(Duration.ofSeconds(10));
        // n99 holds nothing in the ring (never joined, or removed): its hint may be the only
        // copy, so it goes to the partition's replicas instead, and is then deleted.
        assertThat(cluster.node(replica).handoff().store().count()).as("hints left for n99").isZero();
        for (NodeId holder : replicas) {
            assertThat(cluster.localEntry(holder, key)).as("on %s", holder).isEqualTo(entry);
        }

        Message toItself = request(replica, new WriteRequest(partition, bytes(key), entry, replica));
        assertThat(toItself).isInstanceOfSatisfying(ErrorReply.class,
                error -> assertThat(error.message()).contains(replica + " is not another node"));
        Message badPartition = request(replica, new WriteRequest(1 << 20, bytes(key), entry, null));
        assertThat(badPartition).isInstanceOfSatisfying(ErrorReply.class,
                error -> assertThat(error.message()).contains("does not exist"));
    }

    private Message request(NodeId node, Message request) {
        AtomicReference<Message> reply = new AtomicReference<>();
        cluster.node(node).onRequest(outsider, request, reply::set);
        return reply.get();
    }

    private long totalHints() {
        return cluster.nodeIds().stream().mapToLong(n -> cluster.node(n).handoff().store().count()).sum();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
