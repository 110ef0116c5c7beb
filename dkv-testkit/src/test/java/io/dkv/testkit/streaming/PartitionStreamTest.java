package io.dkv.testkit.streaming;

import io.dkv.cluster.streaming.PartitionStream;
import io.dkv.cluster.streaming.StreamProgress;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A partition copied to a node that does not hold it arrives whole: values and tombstones,
 * over many chunks, through message loss, at the configured rate, and again from another
 * replica when the first one dies mid-stream.
 */
class PartitionStreamTest {

    private static final int VALUE_BYTES = 2_048;
    private static final int KEYS = 200;

    /** 4 nodes, RF 3: every partition has a node that does not replicate it, the stream's target. */
    private static SimCluster cluster(long seed, long streamBytesPerSecond, double dropRate) {
        return SimCluster.builder().nodes(4).replicas(3).seed(seed)
                .config(c -> c.streamBytesPerSecond(streamBytesPerSecond).readRepairChance(0)
                        .repair(c.repair().withAntiEntropyEnabled(false)))
                .network(n -> n.dropRate(dropRate))
                .start();
    }

    /** Writes KEYS keys (every tenth then deleted) that all fall in one partition, and returns that partition. */
    private static int fillOnePartition(SimCluster cluster) {
        Ring ring = cluster.ring();
        int partition = ring.partitionOf(key(0));
        SimClient client = cluster.client(ring.replicas(partition).get(0));
        int written = 0;
        for (int i = 0; written < KEYS; i++) {
            if (ring.partitionOf(key(i)) != partition) {
                continue;
            }
            client.put(new String(key(i), StandardCharsets.UTF_8), "v".repeat(VALUE_BYTES) + i, Consistency.ALL);
            if (written % 10 == 0) {
                client.delete(new String(key(i), StandardCharsets.UTF_8), Consistency.ALL);
            }
            written++;
        }
        return partition;
    }

    private static byte[] key(int i) {
        return ("stream-key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static NodeId outsider(SimCluster cluster, int partition) {
        for (NodeId node : cluster.nodeIds()) {
            if (!cluster.ring().replicas(partition).contains(node)) {
                return node;
            }
        }
        throw new AssertionError("every node replicates partition " + partition);
    }

    private static Map<String, Entry> entries(StorageEngine storage, int partition) {
        Map<String, Entry> found = new HashMap<>();
        storage.forEachEntry(partition, (key, entry) -> found.put(new String(key, StandardCharsets.UTF_8), entry));
        return found;
    }

    @Test
    void aPartitionArrivesWholeWithItsTombstonesOverManyChunks() {
        SimCluster cluster = cluster(31, 256 * 1024, 0);
        int partition = fillOnePartition(cluster);
        NodeId target = outsider(cluster, partition);
        NodeId source = cluster.ring().replicas(partition).get(1);
        assertThat(entries(cluster.storage(target), partition)).isEmpty();

        StreamProgress done = cluster.await(cluster.node(target).streamPartition(source, partition).result());

        Map<String, Entry> expected = entries(cluster.storage(source), partition);
        assertThat(expected).hasSize(KEYS);
        assertThat(expected.values().stream().filter(Entry::isTombstone).count()).isEqualTo(KEYS / 10);
        assertThat(entries(cluster.storage(target), partition)).usingRecursiveComparison().isEqualTo(expected);
        assertThat(done.done()).isTrue();
        assertThat(done.entries()).isEqualTo(KEYS);
        assertThat(done.chunks()).as("64 KiB chunks at 256 KiB/s").isGreaterThan(4);
        assertThat(done.bytes()).isGreaterThan((long) KEYS / 2 * VALUE_BYTES);
    }

    @Test
    void lostRequestsAndRepliesAreAskedAgain() {
        SimCluster cluster = cluster(32, 0, 0);
        int partition = fillOnePartition(cluster);
        NodeId target = outsider(cluster, partition);
        NodeId source = cluster.ring().replicas(partition).get(0);
        cluster.network().dropRate(0.3);

        cluster.await(cluster.node(target).streamPartition(source, partition).result());

        assertThat(entries(cluster.storage(target), partition)).usingRecursiveComparison()
                .isEqualTo(entries(cluster.storage(source), partition));
    }

    @Test
    void streamingKeepsToItsRate() {
        long rate = 64 * 1024;
        SimCluster cluster = cluster(33, rate, 0);
        int partition = fillOnePartition(cluster);
        NodeId target = outsider(cluster, partition);
        long started = cluster.simulation().now();

        StreamProgress done = cluster.await(cluster.node(target)
                .streamPartition(cluster.ring().replicas(partition).get(2), partition).result());

        long elapsed = cluster.simulation().now() - started;
        // The bucket starts with one second's worth and may end one chunk in debt.
        long fastest = (done.bytes() - rate) * 1000 / rate - 1_000;
        assertThat(elapsed).as("virtual ms for %d bytes at %d B/s", done.bytes(), rate)
                .isGreaterThanOrEqualTo(fastest)
                .isLessThanOrEqualTo(done.bytes() * 1000 / rate + 5_000);
    }

    @Test
    void aStreamWhoseSourceDiesFailsAndAnotherReplicaFinishesIt() {
        SimCluster cluster = cluster(34, 64 * 1024, 0);
        int partition = fillOnePartition(cluster);
        NodeId target = outsider(cluster, partition);
        List<NodeId> replicas = new ArrayList<>(cluster.ring().replicas(partition));
        PartitionStream first = cluster.node(target).streamPartition(replicas.get(0), partition);
        assertThat(cluster.runUntil(() -> first.progress().entries() > 0, java.time.Duration.ofSeconds(30))).isTrue();
        cluster.crash(replicas.get(0));

        assertThatThrownBy(() -> cluster.await(first.result())).isInstanceOfAny(RuntimeException.class, CompletionException.class);
        assertThat(first.progress().done()).isFalse();

        cluster.await(cluster.node(target).streamPartition(replicas.get(1), partition).result());
        assertThat(entries(cluster.storage(target), partition)).usingRecursiveComparison()
                .isEqualTo(entries(cluster.storage(replicas.get(1)), partition));
    }
}
