package io.dkv.testkit.sim;

import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.LimitExceededException;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fault-free behaviour of put, get and delete through the simulator. */
class BasicOperationsTest {

    private final SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(11).start();

    @Test
    void aQuorumPutIsSeenByALaterQuorumGetThroughAnyNode() {
        cluster.client(NodeId.of(1)).put("colour", "blue", Consistency.QUORUM);

        for (NodeId coordinator : cluster.nodeIds()) {
            assertThat(cluster.client(coordinator).get("colour", Consistency.QUORUM)).isEqualTo("blue");
        }
    }

    @Test
    void aMissingKeyReadsAsNothing() {
        assertThat(cluster.client().get("never-written")).isNull();
        assertThat(cluster.client().read("never-written", Consistency.ALL)).isNull();
    }

    @Test
    void theLaterWriteWins() {
        SimClient client = cluster.client(NodeId.of(2));
        client.put("k", "first");
        client.put("k", "second");

        assertThat(cluster.client(NodeId.of(4)).get("k")).isEqualTo("second");
    }

    @Test
    void deleteLeavesATombstoneThatReadsAsNothing() {
        SimClient client = cluster.client(NodeId.of(3));
        client.put("doomed", "value");

        assertThat(client.delete("doomed").hadValue()).isTrue();
        assertThat(client.get("doomed")).isNull();
        assertThat(client.read("doomed", Consistency.ALL).isTombstone()).isTrue();
        assertThat(client.delete("doomed").hadValue()).isFalse();
    }

    @Test
    void aWriteReachesExactlyTheKeysReplicas() {
        cluster.client(NodeId.of(5)).put("placed", "here", Consistency.ALL);
        byte[] key = "placed".getBytes();

        for (NodeId node : cluster.nodeIds()) {
            Entry entry = cluster.localEntry(node, key);
            if (cluster.ring().replicasOf(key).contains(node)) {
                assertThat(entry).as("replica %s", node).isNotNull();
            } else {
                assertThat(entry).as("non-replica %s", node).isNull();
            }
        }
    }

    @Test
    void writesThroughOneNodeAreVersionedInOrder() {
        SimClient client = cluster.client(NodeId.of(1));
        var first = client.put("ordered", "a");
        var second = client.put("ordered", "b");

        assertThat(second.version()).isGreaterThan(first.version());
    }

    @Test
    void oversizedKeysAndValuesAreRefusedWithoutHarm() {
        SimCluster small = SimCluster.builder().nodes(3).replicas(3)
                .config(c -> c.maxKeyBytes(10).maxValueBytes(20)).start();
        SimClient client = small.client(NodeId.of(1));

        assertThatThrownBy(() -> client.put("a-key-longer-than-ten", "v"))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("max-key-bytes (10)");
        assertThatThrownBy(() -> client.put("k", "a value longer than twenty bytes"))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("max-value-bytes (20)");
        client.put("k", "fits");
        assertThat(client.get("k")).isEqualTo("fits");
    }
}
