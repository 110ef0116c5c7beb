package io.dkv.cluster.repair;

import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Batches of roots walk every partition a node shares with a peer, pass after pass. */
class SharedPartitionsTest {

    private static final NodeId SELF = NodeId.of(1);

    @Test
    void successiveBatchesCoverEverySharedPartitionOncePerPass() {
        Ring ring = Ring.initial(Ring.numberedNodes(5), 3, 500, 7);
        int[] own = ring.partitionsReplicatedBy(SELF);
        SharedPartitions shared = new SharedPartitions(SELF, ring, own);

        assertThat(shared.peers()).doesNotContain(SELF).isNotEmpty();
        for (NodeId peer : shared.peers()) {
            Set<Integer> expected = new HashSet<>();
            for (int partition : own) {
                if (ring.replicas(partition).contains(peer)) {
                    expected.add(partition);
                }
            }
            assertThat(shared.count(peer)).isEqualTo(expected.size());
            // Batches are full and wrap around, so passes need not start at a batch's start:
            // the partitions in batch order are the shared ones, each once, over and over.
            List<Integer> order = new ArrayList<>();
            while (order.size() < 3 * expected.size()) {
                int[] batch = shared.nextBatch(peer, 7, partition -> true);
                assertThat(batch.length).isEqualTo(Math.min(7, expected.size()));
                IntStream.of(batch).forEach(order::add);
            }
            assertThat(new HashSet<>(order.subList(0, expected.size()))).hasSize(expected.size()).isEqualTo(expected);
            for (int i = expected.size(); i < order.size(); i++) {
                assertThat(order.get(i)).as("position %d", i).isEqualTo(order.get(i - expected.size()));
            }
        }
    }

    @Test
    void partitionsThatCannotBeComparedAreSkippedAndTheirPlaceIsPassed() {
        Ring ring = Ring.initial(Ring.numberedNodes(3), 3, 12, 7);
        SharedPartitions shared = new SharedPartitions(SELF, ring, ring.partitionsReplicatedBy(SELF));
        NodeId peer = NodeId.of(2);

        int[] onlyEven = shared.nextBatch(peer, 100, partition -> partition % 2 == 0);
        int[] none = shared.nextBatch(peer, 100, partition -> false);

        assertThat(onlyEven).hasSize(ring.partitionCount() / 2);
        assertThat(IntStream.of(onlyEven).allMatch(partition -> partition % 2 == 0)).isTrue();
        assertThat(none).isEmpty();
        assertThat(shared.nextBatch(NodeId.of(9), 100, partition -> true)).isEmpty();
    }
}
