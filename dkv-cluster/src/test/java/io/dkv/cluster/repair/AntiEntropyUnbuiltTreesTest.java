package io.dkv.cluster.repair;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.config.HandoffConfig;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.replica.LocalReplica;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.Message;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anti-entropy on a node whose trees are still being built after a restart: it compares
 * only partitions whose tree is built, and a recovering node does not finish recovering
 * before every tree is built, even when it has no peer up to compare with.
 */
class AntiEntropyUnbuiltTreesTest {

    private static final NodeId SELF = NodeId.of(1);

    private final Ring ring = Ring.initial(Ring.numberedNodes(3), 3, 12, 7);
    private final MerkleTrackingStorage storage = new MerkleTrackingStorage(
            MemoryStorageEngine.unlimited(ring.partitionCount()), MerkleTrees.unbuilt(ring.partitionCount()));
    private final Set<NodeId> up = new HashSet<>();
    private final LivenessView liveness = node -> node.equals(SELF) || up.contains(node);
    private final PeersThatAgree peers = new PeersThatAgree();
    private final Recovery recovery = Recovery.recovering(SELF, ring);
    private final AntiEntropy antiEntropy = antiEntropy();

    AntiEntropyUnbuiltTreesTest() {
        for (int i = 0; i < 200; i++) {
            byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            storage.merge(ring.partitionOf(key), key, Entry.value(new byte[]{1}, new Version(1_000 + i, 2)));
        }
    }

    @Test
    void aRecoveringNodeWithEveryPeerDownFinishesOnlyOnceItsTreesAreBuilt() {
        antiEntropy.recoveryRound();
        assertThat(recovery.isRecovering()).isTrue();

        for (int partition = 0; partition < ring.partitionCount() - 1; partition++) {
            storage.build(partition);
        }
        antiEntropy.recoveryRound();
        assertThat(recovery.isRecovering()).as("one tree is not built yet").isTrue();

        storage.build(ring.partitionCount() - 1);
        antiEntropy.recoveryRound();
        assertThat(recovery.isRecovering()).isFalse();
        assertThat(peers.asked).isEmpty();
    }

    @Test
    void recoveryComparesOnlyPartitionsWhoseTreeIsBuilt() {
        up.addAll(List.of(NodeId.of(2), NodeId.of(3)));
        storage.build(0);
        storage.build(2);
        for (int round = 0; round < 10; round++) {
            antiEntropy.recoveryRound();
        }

        assertThat(peers.asked).containsOnly(0, 2).hasSize(4);
        assertThat(recovery.isRecovering()).isTrue();
        assertThat(recovery.pendingComparisons()).isEqualTo(2 * (ring.partitionCount() - 2));

        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            storage.build(partition);
        }
        for (int round = 0; round < 10 && recovery.isRecovering(); round++) {
            antiEntropy.recoveryRound();
        }
        assertThat(recovery.isRecovering()).isFalse();
    }

    @Test
    void periodicRoundsSkipPartitionsWhoseTreeIsNotBuilt() {
        up.addAll(List.of(NodeId.of(2), NodeId.of(3)));
        storage.build(1);
        for (int round = 0; round < 5; round++) {
            antiEntropy.round();
        }

        assertThat(peers.asked).isNotEmpty().containsOnly(1);
    }

    private AntiEntropy antiEntropy() {
        Clock clock = new Clock() {
            @Override
            public long wallMillis() {
                return 1_700_000_000_000L;
            }

            @Override
            public long monotonicMillis() {
                return 0;
            }

            @Override
            public long monotonicNanos() {
                return 0;
            }
        };
        NodeCounters metrics = new NodeCounters();
        ClusterConfig config = ClusterConfig.builder().nodes(3).replicas(3).build();
        HintedHandoff handoff = new HintedHandoff(SELF, HandoffConfig.DEFAULT, new MemoryHintStore(1_000, 1 << 20), peers,
                liveness, clock, 1_000, metrics, node -> true);
        LocalReplica replica = new LocalReplica(SELF, ring.partitionCount(), storage,
                new HybridLogicalClock(clock::wallMillis, 1_000), clock, RepairConfig.DEFAULT.tombstoneGraceMillis(),
                handoff, recovery, metrics);
        return new AntiEntropy(new AntiEntropy.Parts(SELF, ring, RepairConfig.DEFAULT, storage, storage.trees(), peers,
                liveness, new SplittableRandom(3), clock, 1_000, config.maxMessageBytes(), metrics, replica, recovery));
    }

    /** Peers whose trees match ours: every root comparison (batched or not) matches at once. Records the partitions asked about. */
    private static final class PeersThatAgree implements RequestTransport {
        final List<Integer> asked = new ArrayList<>();


        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            if (request instanceof MerkleRootsRequest roots) {
                for (int partition : roots.partitions()) {
                    asked.add(partition);
                }
                return CompletableFuture.completedFuture(new MerkleRootsReply(new int[0], new int[0]));
            }
            if (request instanceof MerkleRootRequest root) {
                asked.add(root.partition());
                return CompletableFuture.completedFuture(MerkleLeavesReply.SAME);
            }
            return CompletableFuture.failedFuture(new IllegalStateException("unexpected " + request));
        }
    }
}
