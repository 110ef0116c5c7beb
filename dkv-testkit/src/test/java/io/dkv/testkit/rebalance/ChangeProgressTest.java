package io.dkv.testkit.rebalance;

import io.dkv.cluster.rebalance.ChangeProgress;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.message.MoveStatus;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code DKV.RING} reports of a change under way ({@code ClusterNode.changeProgress}):
 * the joining node's copy as it grows, from a node that copies nothing itself, and how long
 * the change has been in force.
 */
class ChangeProgressTest {

    @Test
    void aMemberSeesTheJoiningNodesCopyGrow() {
        SimCluster cluster = SimCluster.builder().nodes(3).replicas(3).seed(1)
                .config(c -> c.partitions(16).replicaTimeoutMillis(300).streamBytesPerSecond(32 * 1024))
                .network(n -> n.latency(1, 5))
                .start();
        cluster.addNode(NodeId.of(4));
        byte[] value = new byte[1_000];
        for (int i = 0; i < 150; i++) {
            cluster.await(cluster.node(NodeId.of(1)).put(bytes("k" + i), value, Consistency.ALL));
        }
        ChangeProgress.Snapshot idle = cluster.await(cluster.node(NodeId.of(2)).changeProgress());
        assertThat(idle.gaining()).isEmpty();

        CompletableFuture<RingState> join = cluster.node(NodeId.of(1)).join(NodeId.of(4));
        assertThat(cluster.runUntil(() -> cluster.node(NodeId.of(2)).rings().state().moving(), Duration.ofSeconds(10)))
                .isTrue();
        cluster.runFor(Duration.ofSeconds(2));
        ChangeProgress.Snapshot early = cluster.await(cluster.node(NodeId.of(2)).changeProgress());
        cluster.runFor(Duration.ofSeconds(1));
        ChangeProgress.Snapshot later = cluster.await(cluster.node(NodeId.of(2)).changeProgress());

        assertThat(early.state().gaining()).containsExactly(NodeId.of(4));
        MoveStatus joining = early.gaining().get(NodeId.of(4));
        assertThat(joining.epoch()).isEqualTo(early.state().epoch());
        assertThat(joining.partitionsTotal()).isPositive();
        assertThat(early.bytesCopied()).isPositive();
        assertThat(later.bytesCopied()).isGreaterThan(early.bytesCopied());
        assertThat(later.inForceMillis()).isGreaterThanOrEqualTo(3_000);
        assertThat(join).isNotDone();

        assertThat(cluster.runUntil(join::isDone, Duration.ofSeconds(60))).isTrue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
