package io.dkv.testkit.rebalance;

import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.message.StreamRequest;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which replicas a node gaining a partition copies it from (Rebalancer): RF - QUORUM + 1 of
 * the current replicas (2 of 3), always including a replica that gives the partition up
 * while it is up, since a write acknowledged at ONE may live only there.
 */
class CopySourcesTest {

    private static final int PARTITIONS = 32;

    @Test
    void aJoinAndADecommissionCopyEachPartitionFromTwoReplicasIncludingTheOneThatGivesItUp() {
        SimCluster cluster = SimCluster.builder().nodes(3).replicas(3).seed(1)
                .config(c -> c.partitions(PARTITIONS).replicaTimeoutMillis(300))
                .network(n -> n.latency(1, 5))
                .start();
        cluster.addNode(NodeId.of(4));
        for (int i = 0; i < 200; i++) {
            cluster.await(cluster.node(NodeId.of(1)).put(bytes("k" + i), bytes("v" + i), Consistency.ALL));
        }
        Map<NodeId, Map<Integer, Set<NodeId>>> sources = new HashMap<>();
        cluster.network().onSend(sent -> {
            if (sent.message() instanceof StreamRequest request && request.after() == null) {
                sources.computeIfAbsent(sent.from(), node -> new HashMap<>())
                        .computeIfAbsent(request.partition(), p -> new TreeSet<>()).add(sent.to());
            }
        });

        RingState joined = change(cluster, cluster.node(NodeId.of(1)).join(NodeId.of(4)));
        RingState moving = cluster.node(NodeId.of(1)).rings().atEpoch(joined.epoch() - 1);
        checkSources(moving, sources);
        assertThat(sources).containsOnlyKeys(NodeId.of(4));

        assertThat(cluster.runUntil(() -> cluster.nodeIds().stream()
                .allMatch(node -> cluster.node(node).rings().epoch() >= joined.epoch()), Duration.ofSeconds(30))).isTrue();
        sources.clear();
        RingState left = change(cluster, cluster.node(NodeId.of(2)).decommission(NodeId.of(4)));
        checkSources(cluster.node(NodeId.of(2)).rings().atEpoch(left.epoch() - 1), sources);
        assertThat(sources).doesNotContainKey(NodeId.of(4)).isNotEmpty();
    }

    /** Every gained partition was copied from exactly two replicas, one of them each replica that gave it up. */
    private static void checkSources(RingState moving, Map<NodeId, Map<Integer, Set<NodeId>>> sources) {
        int checked = 0;
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (NodeId gaining : moving.incoming(partition)) {
                Set<NodeId> from = sources.getOrDefault(gaining, Map.of()).get(partition);
                assertThat(from).as("%s's sources for partition %d", gaining, partition).hasSize(2);
                List<NodeId> stay = moving.next().replicas(partition);
                for (NodeId replica : moving.current().replicas(partition)) {
                    if (!stay.contains(replica)) {
                        assertThat(from).as("partition %d gives up %s", partition, replica).contains(replica);
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isPositive();
    }

    private static RingState change(SimCluster cluster, CompletableFuture<RingState> change) {
        assertThat(cluster.runUntil(change::isDone, Duration.ofSeconds(60))).isTrue();
        return change.join();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
