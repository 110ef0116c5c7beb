package io.dkv.core.ring;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RingTest {

    private static long[] sampleKeys(Ring ring, int keys, long seed) {
        long[] perPartition = new long[ring.partitionCount()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < keys; i++) {
            byte[] key = ("key:" + random.nextLong()).getBytes(StandardCharsets.US_ASCII);
            perPartition[ring.partitionOf(key)]++;
        }
        return perPartition;
    }

    @ParameterizedTest(name = "N={0} RF={1}: max/mean <= {2}")
    @CsvSource({"100, 3, 1.05", "1000, 3, 1.10", "7, 3, 1.05", "10, 1, 1.05", "3, 3, 1.0001"})
    void spreadsKeyReplicasEvenly(int nodes, int replicas, double maxOverMean) {
        Ring ring = Ring.of(nodes, replicas);
        RingBalance balance = RingBalance.of(ring, sampleKeys(ring, 1_000_000, 42));

        assertThat(balance.maxOverMean()).isLessThanOrEqualTo(maxOverMean);
        assertThat(balance.minOverMean()).isGreaterThanOrEqualTo(2 - maxOverMean);
    }

    @ParameterizedTest(name = "N={0} RF={1}")
    @CsvSource({"100, 3", "1000, 3", "5, 3", "10, 2"})
    void losingANodeMovesOnlyItsShare(int nodes, int replicas) {
        Ring ring = Ring.of(nodes, replicas);
        long[] keys = sampleKeys(ring, 300_000, 7);
        double ideal = 1.0 / nodes;

        for (NodeId lost : List.of(NodeId.of(1), NodeId.of(nodes / 2 + 1), NodeId.of(nodes))) {
            assertThat(RingBalance.movedOnLoss(ring, keys, lost)).isLessThanOrEqualTo(1.2 * ideal);
        }
    }

    @Test
    void losingANodeSpreadsItsLoadOverManyStandIns() {
        Ring ring = Ring.of(100, 3);
        NodeId lost = NodeId.of(17);
        Set<NodeId> standIns = new HashSet<>();
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            if (ring.replicas(partition).contains(lost)) {
                List<NodeId> before = ring.replicas(partition);
                List<NodeId> after = ring.replicasSkipping(partition, lost::equals);
                after.stream().filter(n -> !before.contains(n)).forEach(standIns::add);
            }
        }
        assertThat(standIns).hasSizeGreaterThan(50);
    }

    @ParameterizedTest(name = "N={0} RF={1} partitions/node={2}")
    @CsvSource({"1, 1, 64", "2, 2, 64", "3, 3, 64", "4, 3, 5", "6, 3, 64", "7, 3, 64", "13, 5, 3", "100, 3, 64", "50, 7, 1"})
    void everyPreferenceListHasDistinctNodesAndBalanceIsExact(int nodes, int replicas, int partitionsPerNode) {
        Ring ring = Ring.build(Ring.numberedNodes(nodes), replicas, partitionsPerNode, 99);
        int[] replicasPerNode = new int[nodes];
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            List<NodeId> list = ring.replicas(partition);
            assertThat(list).hasSize(replicas).doesNotHaveDuplicates();
            assertThat(list.get(0)).isEqualTo(ring.owner(partition));
            list.forEach(n -> replicasPerNode[n.number() - 1]++);
        }
        for (int count : replicasPerNode) {
            assertThat(count).isEqualTo(partitionsPerNode * replicas);
        }
    }

    @Test
    void everyKeyHasReplicasDistinctNodes() {
        Ring ring = Ring.of(1000, 3);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            assertThat(ring.replicasOf(key)).hasSize(3).doesNotHaveDuplicates();
        }
    }

    @Test
    void clockwiseWalkMeetsEveryNodeOnceStartingWithTheReplicas() {
        Ring ring = Ring.of(40, 3);
        for (int partition = 0; partition < ring.partitionCount(); partition += 37) {
            List<NodeId> walked = new ArrayList<>();
            Iterator<NodeId> walk = ring.clockwise(partition);
            walk.forEachRemaining(walked::add);
            assertThat(walked).hasSize(40).doesNotHaveDuplicates();
            assertThat(walked.subList(0, 3)).isEqualTo(ring.replicas(partition));
        }
    }

    @Test
    void replicasSkippingDownNodesTakeTheNextHealthyOnes() {
        Ring ring = Ring.of(10, 3);
        int partition = 5;
        List<NodeId> original = ring.replicas(partition);
        NodeId down = original.get(1);
        List<NodeId> routed = ring.replicasSkipping(partition, down::equals);
        assertThat(routed).hasSize(3).doesNotContain(down).contains(original.get(0), original.get(2));
    }

    @Test
    void sameInputsBuildTheSameRing() {
        Ring a = Ring.of(50, 3);
        List<NodeId> reversed = new ArrayList<>(Ring.numberedNodes(50));
        Collections.reverse(reversed);
        Ring b = Ring.build(reversed, 3, Ring.DEFAULT_PARTITIONS_PER_NODE, Ring.DEFAULT_SEED);
        for (int partition = 0; partition < a.partitionCount(); partition++) {
            assertThat(b.replicas(partition)).isEqualTo(a.replicas(partition));
        }
    }

    @Test
    void partitionsCoverTheHashSpaceInOrder() {
        Ring ring = Ring.of(10, 3);
        assertThat(ring.partitionOfHash(0)).isZero();
        assertThat(ring.partitionOfHash(-1L)).isEqualTo(ring.partitionCount() - 1);
        assertThat(ring.partitionOfHash(Long.MIN_VALUE)).isEqualTo(ring.partitionCount() / 2);
    }

    @Test
    void rejectsImpossibleShapesWithMessagesNamingThem() {
        assertThatThrownBy(() -> Ring.of(3, 5)).isInstanceOf(InvalidConfigException.class)
                .hasMessage("replicas (5) must not exceed nodes (3)");
        assertThatThrownBy(() -> Ring.of(3, 0)).hasMessageContaining("replicas (0) must be at least 1");
        assertThatThrownBy(() -> Ring.build(List.of(NodeId.of(1), NodeId.of(1)), 1, 4, 1))
                .hasMessageContaining("n1 is listed twice");
    }
}
