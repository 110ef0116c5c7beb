package io.dkv.cluster.repair;

import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.TombstoneCheck;
import io.dkv.core.message.TombstoneCheckReply;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A tombstone is purged only when every holder of its partition in the ring in force has it: next replicas too. */
class TombstoneCollectorTest {

    private static final Ring OLD = Ring.initial(Ring.numberedNodes(3), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring NEW = OLD.withJoined(NodeId.of(4));
    private static final RingState STABLE = RingState.initial(OLD);
    private static final RingState MOVING = STABLE.movingTo(NEW);
    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] KEY = "deleted".getBytes(StandardCharsets.UTF_8);
    private static final Version DELETED_AT = new Version(
            HybridLogicalClock.stampOf(NOW - RepairConfig.DEFAULT.tombstoneGraceMillis() - 1), 1);

    /** A partition that gains a node in the move, and a current replica of it. */
    private final int partition = movingPartition();
    private final NodeId incoming = MOVING.incoming(partition).get(0);
    private final NodeId self = OLD.replicas(partition).get(0);
    private final StorageEngine storage = MemoryStorageEngine.unlimited(OLD.partitionCount());
    private final Peers peers = new Peers();
    private final NodeCounters metrics = new NodeCounters();
    private final AtomicReference<RingState> inForce = new AtomicReference<>(STABLE);
    private final TombstoneCollector collector = new TombstoneCollector(self, inForce::get, RepairConfig.DEFAULT,
            storage, peers, new FixedClock(), 1_000, metrics);

    private static int movingPartition() {
        for (int partition = 0; partition < OLD.partitionCount(); partition++) {
            if (!MOVING.incoming(partition).isEmpty()) {
                return partition;
            }
        }
        throw new AssertionError("no partition moves");
    }

    private void holdTheTombstone() {
        storage.merge(partition, KEY, Entry.tombstone(DELETED_AT));
    }

    @Test
    void duringAMoveANodeGainingThePartitionIsAskedAndAnOlderValueThereHoldsThePurgeBack() {
        holdTheTombstone();
        inForce.set(MOVING);
        peers.olderValueAt.put(incoming, true);

        collector.sweep();

        assertThat(peers.checked).contains(incoming);
        assertThat(storage.get(partition, KEY)).as("kept while %s holds an older value", incoming).isNotNull();
        assertThat(peers.repaired).as("the incoming node is sent the tombstone").contains(incoming);
        assertThat(metrics.tombstonesPurged.sum()).isZero();

        peers.olderValueAt.put(incoming, false);
        peers.checked.clear();
        collector.sweep();
        assertThat(peers.checked).contains(incoming);
        assertThat(storage.get(partition, KEY)).as("purged once every holder has it").isNull();
        assertThat(metrics.tombstonesPurged.sum()).isEqualTo(1);
    }

    @Test
    void withoutAMoveOnlyTheCurrentReplicasAreAsked() {
        holdTheTombstone();
        peers.olderValueAt.put(incoming, true);

        collector.sweep();

        assertThat(peers.checked).doesNotContain(incoming).containsAll(
                OLD.replicas(partition).stream().filter(node -> !node.equals(self)).toList());
        assertThat(storage.get(partition, KEY)).isNull();
    }

    @Test
    void aStateInstalledWhileTheCheckIsInFlightHoldsThePurgeBack() {
        holdTheTombstone();
        peers.onCheck = () -> inForce.set(MOVING);

        collector.sweep();

        assertThat(storage.get(partition, KEY)).as("checked under the old state only").isNotNull();
        peers.onCheck = () -> { };
        collector.sweep();
        assertThat(storage.get(partition, KEY)).isNull();
    }

    /** An entry expired longer ago than the grace period goes like a tombstone; one expired since, or live, stays. */
    @Test
    void entriesExpiredPastTheGracePeriodArePurgedLikeTombstones() {
        long grace = RepairConfig.DEFAULT.tombstoneGraceMillis();
        byte[] longExpired = "long-expired".getBytes(StandardCharsets.UTF_8);
        byte[] justExpired = "just-expired".getBytes(StandardCharsets.UTF_8);
        byte[] live = "live".getBytes(StandardCharsets.UTF_8);
        Version written = new Version(HybridLogicalClock.stampOf(NOW - 2 * grace), 1);
        int p1 = OLD.partitionOf(longExpired);
        int p2 = OLD.partitionOf(justExpired);
        int p3 = OLD.partitionOf(live);
        storage.merge(p1, longExpired, Entry.expiring(new byte[]{1}, written, NOW - grace - 1));
        storage.merge(p2, justExpired, Entry.expiring(new byte[]{2}, written, NOW - grace + 1_000));
        storage.merge(p3, live, Entry.value(new byte[]{3}, written));
        TombstoneCollector everywhere = new TombstoneCollector(NodeId.of(1), inForce::get, RepairConfig.DEFAULT,
                storage, peers, new FixedClock(), 1_000, metrics);

        everywhere.sweep();

        assertThat(storage.get(p1, longExpired)).isNull();
        assertThat(storage.get(p2, justExpired)).isNotNull();
        assertThat(storage.get(p3, live)).isNotNull();
        assertThat(metrics.tombstonesPurged.sum()).isEqualTo(1);
    }

    /**
     * The resurrection guard: a replica that holds the value but not the expiry (it missed the
     * EXPIRE) is not safe, or its value would come back once the others purged theirs.
     */
    @Test
    void aReplicaMissingTheExpiryRegisterHoldsThePurgeBack() {
        Version set = new Version(5, 1);
        Version expired = new Version(7, 2);
        EntryVersion expiredEntry = new EntryVersion(set, expired);
        TombstoneCheck check = new TombstoneCheck(partition, new byte[][]{KEY}, new EntryVersion[]{expiredEntry});

        assertThat(((TombstoneCheckReply) collector.onCheck(check)).safe()).as("nothing held").containsExactly(true);
        storage.merge(partition, KEY, Entry.value(new byte[]{1}, set));
        assertThat(((TombstoneCheckReply) collector.onCheck(check)).safe()).as("value without expiry").containsExactly(false);
        storage.merge(partition, KEY, Entry.expiryOnly(Expiry.at(10, expired)));
        assertThat(((TombstoneCheckReply) collector.onCheck(check)).safe()).as("both registers").containsExactly(true);
        storage.merge(partition, KEY, Entry.value(new byte[]{2}, new Version(9, 1)));
        assertThat(((TombstoneCheckReply) collector.onCheck(check)).safe()).as("newer in both").containsExactly(true);
    }

    /** Peers that answer at once: each holds the tombstone, or an older value where told so. */
    private static final class Peers implements RequestTransport {
        final Map<NodeId, Boolean> olderValueAt = new HashMap<>();
        final List<NodeId> checked = new ArrayList<>();
        final List<NodeId> repaired = new ArrayList<>();
        Runnable onCheck = () -> { };


        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            if (request instanceof TombstoneCheck check) {
                checked.add(to);
                onCheck.run();
                boolean[] safe = new boolean[check.keys().length];
                java.util.Arrays.fill(safe, !olderValueAt.getOrDefault(to, false));
                return CompletableFuture.completedFuture(new TombstoneCheckReply(safe));
            }
            if (request instanceof WriteRequest) {
                repaired.add(to);
                return CompletableFuture.completedFuture(WriteReply.stored(true, DELETED_AT));
            }
            return CompletableFuture.failedFuture(new IllegalStateException("unexpected " + request));
        }
    }

    private static final class FixedClock implements Clock {
        @Override
        public long wallMillis() {
            return NOW;
        }

        @Override
        public long monotonicMillis() {
            return 0;
        }

        @Override
        public long monotonicNanos() {
            return 0;
        }
    }
}
