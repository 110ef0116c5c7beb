package io.dkv.core.ring;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RingTest {

    static long[] sampleKeys(Ring ring, int keys, long seed) {
        long[] perPartition = new long[ring.partitionCount()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < keys; i++) {
            byte[] key = ("key:" + random.nextLong()).getBytes(StandardCharsets.US_ASCII);
            perPartition[ring.partitionOf(key)]++;
        }
        return perPartition;
    }

    /** Placements (partition, node) per node, indexed like {@link Ring#nodes()}. */
    static int[] placementsPerNode(Ring ring) {
        int[] perNode = new int[ring.nodeCount()];
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            for (NodeId node : ring.replicas(partition)) {
                perNode[ring.indexOfNode(node)]++;
            }
        }
        return perNode;
    }

    static double maxOverMean(int[] perNode) {
        long total = 0;
        int max = 0;
        for (int count : perNode) {
            total += count;
            max = Math.max(max, count);
        }
        return max / ((double) total / perNode.length);
    }

    @ParameterizedTest(name = "N={0} RF={1}: max/mean <= {2}")
    @CsvSource({"100, 3, 1.05", "7, 3, 1.05", "10, 1, 1.05", "3, 3, 1.0001"})
    void spreadsKeyReplicasEvenly(int nodes, int replicas, double maxOverMean) {
        Ring ring = Ring.of(nodes, replicas);
        RingBalance balance = RingBalance.of(ring, sampleKeys(ring, 1_000_000, 42));

        assertThat(balance.maxOverMean()).isLessThanOrEqualTo(maxOverMean);
        assertThat(balance.minOverMean()).isGreaterThanOrEqualTo(2 - maxOverMean);
    }

    /**
     * At N = 1000 a node holds 12 or 13 of the 4096 x 3 placements, so rounding alone gives
     * max/mean 13/12.29 = 1.058; the key sample must be large enough that its own noise (about
     * 1/sqrt(keys per node)) stays within the rest: 3 M keys, 9,000 key replicas per node.
     */
    @Test
    void spreadsKeyReplicasEvenlyAtAThousandNodes() {
        Ring ring = Ring.of(1000, 3);
        RingBalance balance = RingBalance.of(ring, sampleKeys(ring, 3_000_000, 42));

        assertThat(balance.maxOverMean()).isLessThanOrEqualTo(1.10);
        assertThat(balance.minOverMean()).isGreaterThanOrEqualTo(0.90);
    }

    @ParameterizedTest(name = "N={0} RF={1}: placements max/mean <= {2}")
    @CsvSource({"100, 3, 1.05", "1000, 3, 1.10", "7, 3, 1.05", "10, 1, 1.05", "3, 3, 1.0"})
    void spreadsPlacementsEvenly(int nodes, int replicas, double maxOverMean) {
        assertThat(maxOverMean(placementsPerNode(Ring.of(nodes, replicas)))).isLessThanOrEqualTo(maxOverMean);
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

    @ParameterizedTest(name = "N={0} RF={1} partitions={2}")
    @CsvSource({"1, 1, 64", "2, 2, 128", "3, 3, 192", "4, 3, 20", "6, 3, 384", "7, 3, 448", "13, 5, 39",
            "100, 3, 4096", "50, 7, 50", "10, 3, 1", "5, 2, 7"})
    void everyPreferenceListHasDistinctNodesAndEveryNodeItsFloorOrCeiling(int nodes, int replicas, int partitions) {
        Ring ring = Ring.initial(Ring.numberedNodes(nodes), replicas, partitions, 99);
        assertThat(ring.partitionCount()).isEqualTo(partitions);
        assertThat(ring.epoch()).isEqualTo(1);
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            List<NodeId> list = ring.replicas(partition);
            assertThat(list).hasSize(replicas).doesNotHaveDuplicates();
            assertThat(list.get(0)).isEqualTo(ring.owner(partition));
        }
        int floor = partitions * replicas / nodes;
        assertThat(Arrays.stream(placementsPerNode(ring)).boxed()).allSatisfy(count -> assertThat(count).isBetween(floor, floor + 1));
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
    void clockwiseWalkMeetsNodesThatHoldNothingLast() {
        Ring ring = Ring.initial(Ring.numberedNodes(10), 3, 2, 5);
        List<NodeId> walked = new ArrayList<>();
        ring.clockwise(1).forEachRemaining(walked::add);
        assertThat(walked).hasSize(10).doesNotHaveDuplicates();
        assertThat(walked.subList(0, 3)).isEqualTo(ring.replicas(1));
        assertThat(walked.subList(3, 6)).containsExactlyElementsOf(ring.replicas(0));
    }

    @Test
    void standInsFollowTheNextPartitionsReplicaLists() {
        Ring ring = Ring.of(20, 3);
        int partition = 11;
        List<NodeId> expected = new ArrayList<>(ring.replicas(partition));
        for (int next = partition + 1; expected.size() < 6; next++) {
            ring.replicas(next).stream().filter(n -> !expected.contains(n)).forEach(expected::add);
        }
        List<NodeId> walked = new ArrayList<>();
        Iterator<NodeId> walk = ring.clockwise(partition);
        while (walked.size() < expected.size()) {
            walked.add(walk.next());
        }
        assertThat(walked).isEqualTo(expected.subList(0, walked.size()));
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
        Ring b = Ring.initial(reversed, 3, Ring.DEFAULT_PARTITIONS, Ring.DEFAULT_SEED);
        assertThat(b).isEqualTo(a);
        for (int partition = 0; partition < a.partitionCount(); partition++) {
            assertThat(b.replicas(partition)).isEqualTo(a.replicas(partition));
        }
        assertThat(a.withJoined(NodeId.of(77))).isEqualTo(b.withJoined(NodeId.of(77)));
        assertThat(a.withoutNode(NodeId.of(7))).isEqualTo(b.withoutNode(NodeId.of(7)));
    }

    @Test
    void partitionsCoverTheHashSpaceInOrder() {
        Ring ring = Ring.of(10, 3);
        assertThat(ring.partitionCount()).isEqualTo(Ring.DEFAULT_PARTITIONS);
        assertThat(ring.partitionOfHash(0)).isZero();
        assertThat(ring.partitionOfHash(-1L)).isEqualTo(ring.partitionCount() - 1);
        assertThat(ring.partitionOfHash(Long.MIN_VALUE)).isEqualTo(ring.partitionCount() / 2);
    }

    @Test
    void theKeyToPartitionMappingDependsOnlyOnThePartitionCount() {
        Ring small = Ring.initial(Ring.numberedNodes(3), 3, 4096, 1);
        Ring large = Ring.initial(Ring.numberedNodes(200), 2, 4096, 2).withJoined(NodeId.of(500));
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            long hash = random.nextLong();
            assertThat(large.partitionOfHash(hash)).isEqualTo(small.partitionOfHash(hash))
                    .isEqualTo((int) (((hash >>> 32) * 4096) >>> 32));
        }
    }

    @Test
    void aJoinMovesTheNewcomersFairShareFromTheFullestNodes() {
        Ring before = Ring.of(10, 3);
        Ring after = before.withJoined(NodeId.of(11));
        int moved = Ring.movedPlacements(before, after);
        double ideal = 4096.0 * 3 / 11;

        assertThat(after.epoch()).isEqualTo(2);
        assertThat(after.nodes()).hasSize(11).contains(NodeId.of(11));
        assertThat(moved).isBetween((int) Math.floor(ideal), (int) Math.ceil(ideal));
        assertThat(after.partitionsReplicatedBy(NodeId.of(11))).hasSize(moved);
        for (int partition = 0; partition < before.partitionCount(); partition++) {
            List<NodeId> was = before.replicas(partition);
            List<NodeId> now = after.replicas(partition);
            assertThat(now).doesNotHaveDuplicates();
            for (int i = 0; i < 3; i++) {
                if (!now.get(i).equals(was.get(i))) {
                    assertThat(now.get(i)).as("only the newcomer takes placements").isEqualTo(NodeId.of(11));
                }
            }
        }
        int floor = 4096 * 3 / 11;
        assertThat(Arrays.stream(placementsPerNode(after)).boxed()).allSatisfy(count -> assertThat(count).isBetween(floor, floor + 1));
    }

    @Test
    void aLeaveMovesExactlyTheLeaversPlacements() {
        Ring before = Ring.of(10, 3);
        NodeId leaver = NodeId.of(4);
        Ring after = before.withoutNode(leaver);

        assertThat(after.epoch()).isEqualTo(2);
        assertThat(after.nodes()).hasSize(9).doesNotContain(leaver);
        assertThat(Ring.movedPlacements(before, after)).isEqualTo(before.partitionsReplicatedBy(leaver).length);
        for (int partition = 0; partition < before.partitionCount(); partition++) {
            List<NodeId> was = before.replicas(partition);
            List<NodeId> now = after.replicas(partition);
            assertThat(now).doesNotHaveDuplicates().doesNotContain(leaver);
            for (int i = 0; i < 3; i++) {
                if (!was.get(i).equals(leaver)) {
                    assertThat(now.get(i)).isEqualTo(was.get(i));
                }
            }
        }
        int floor = 4096 * 3 / 9;
        assertThat(Arrays.stream(placementsPerNode(after)).boxed()).allSatisfy(count -> assertThat(count).isBetween(floor, floor + 1));
    }

    @Test
    void aReplacementTakesExactlyTheOldNodesPlacements() {
        Ring before = Ring.of(5, 3);
        NodeId old = NodeId.of(2);
        NodeId replacement = NodeId.of(9);
        Ring after = before.withReplaced(old, replacement);

        assertThat(after.epoch()).isEqualTo(2);
        assertThat(after.nodes()).containsExactly(NodeId.of(1), NodeId.of(3), NodeId.of(4), NodeId.of(5), replacement);
        assertThat(Ring.movedPlacements(before, after)).isEqualTo(before.partitionsReplicatedBy(old).length);
        assertThat(after.partitionsReplicatedBy(replacement)).isEqualTo(before.partitionsReplicatedBy(old));
        for (int partition = 0; partition < before.partitionCount(); partition++) {
            List<NodeId> expected = before.replicas(partition).stream().map(n -> n.equals(old) ? replacement : n).toList();
            assertThat(after.replicas(partition)).isEqualTo(expected);
        }
    }

    @Test
    void nodeIdsNeedNotBeConsecutive() {
        List<NodeId> ids = List.of(NodeId.of(17), NodeId.of(2), NodeId.of(5), NodeId.of(1000));
        Ring ring = Ring.initial(ids, 2, 64, 3).withoutNode(NodeId.of(5)).withJoined(NodeId.of(6));
        assertThat(ring.nodes()).containsExactly(NodeId.of(2), NodeId.of(6), NodeId.of(17), NodeId.of(1000));
        assertThat(placementsPerNode(ring)).containsOnly(32);
        assertThat(ring.indexOfNode(NodeId.of(17))).isEqualTo(2);
        assertThat(ring.indexOfNode(NodeId.of(5))).isEqualTo(-1);
        assertThat(ring.epoch()).isEqualTo(3);
    }

    @Test
    void aPlacementSurvivesTheTripThroughItsParts() {
        Ring ring = Ring.of(12, 3).withJoined(NodeId.of(40)).withoutNode(NodeId.of(3));
        int[][] numbers = new int[ring.partitionCount()][];
        for (int partition = 0; partition < numbers.length; partition++) {
            numbers[partition] = ring.replicaNumbers(partition);
        }
        Ring copy = Ring.of(ring.epoch(), ring.nodes(), ring.replicaCount(), numbers);
        assertThat(copy).isEqualTo(ring);
        assertThat(copy.replicas(100)).isEqualTo(ring.replicas(100));
        assertThat(Ring.movedPlacements(ring, copy)).isZero();
    }

    @Test
    void rejectsPlacementsThatAreNotOne() {
        List<NodeId> nodes = Ring.numberedNodes(3);
        assertThatThrownBy(() -> Ring.of(1, nodes, 2, new int[][]{{1, 2}, {3, 3}}))
                .isInstanceOf(InvalidConfigException.class).hasMessage("partition 1 lists n3 twice");
        assertThatThrownBy(() -> Ring.of(1, nodes, 2, new int[][]{{1, 4}}))
                .hasMessage("partition 0 names n4, which is not a node of the ring");
        assertThatThrownBy(() -> Ring.of(1, nodes, 2, new int[][]{{1}}))
                .hasMessage("partition 0 lists 1 replicas, expected 2");
        assertThatThrownBy(() -> Ring.of(0, nodes, 2, new int[][]{{1, 2}})).hasMessage("epoch (0) must be at least 1");
        assertThatThrownBy(() -> Ring.of(1, nodes, 2, new int[0][])).hasMessageContaining("partitions (0)");
    }

    @Test
    void refusesChangesThatMakeNoSense() {
        Ring ring = Ring.of(3, 3);
        assertThatThrownBy(() -> ring.withJoined(NodeId.of(2))).isInstanceOf(InvalidConfigException.class)
                .hasMessage("n2 is already a node of the ring");
        assertThatThrownBy(() -> ring.withoutNode(NodeId.of(9))).hasMessage("n9 is not a node of the ring");
        assertThatThrownBy(() -> ring.withoutNode(NodeId.of(1)))
                .hasMessage("cannot remove n1: 2 nodes would remain, fewer than replicas (3)");
        assertThatThrownBy(() -> ring.withReplaced(NodeId.of(9), NodeId.of(10))).hasMessage("n9 is not a node of the ring");
        assertThatThrownBy(() -> ring.withReplaced(NodeId.of(1), NodeId.of(3))).hasMessage("n3 is already a node of the ring");
        assertThatThrownBy(() -> Ring.movedPlacements(ring, Ring.initial(ring.nodes(), 3, 16, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsImpossibleShapesWithMessagesNamingThem() {
        assertThatThrownBy(() -> Ring.of(3, 5)).isInstanceOf(InvalidConfigException.class)
                .hasMessage("replicas (5) must not exceed nodes (3)");
        assertThatThrownBy(() -> Ring.of(3, 0)).hasMessageContaining("replicas (0) must be at least 1");
        assertThatThrownBy(() -> Ring.initial(List.of(NodeId.of(1), NodeId.of(1)), 1, 4, 1))
                .hasMessageContaining("n1 is listed twice");
        assertThatThrownBy(() -> Ring.initial(Ring.numberedNodes(3), 1, 0, 1))
                .hasMessage("partitions (0) must be between 1 and " + Ring.MAX_PARTITIONS);
    }
}
