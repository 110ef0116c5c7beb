package io.dkv.cluster.rebalance;

import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.EntryScanner;
import io.dkv.core.storage.ForwardingStorageEngine;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A node drops the partitions a finished ring change took from it, and only once every live node routes by it. */
class PartitionDropperTest {

    private static final Ring OLD = Ring.initial(Ring.numberedNodes(3), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring NEW = OLD.withJoined(NodeId.of(4));
    private static final RingState STABLE = RingState.initial(OLD);
    private static final RingState MOVING = STABLE.movingTo(NEW);
    private static final RingState MOVED = MOVING.finished();
    /** More than a chunk, so that dropping one partition takes several. */
    private static final int KEYS_PER_PARTITION = PartitionDropper.CHUNK * 2 + 17;

    private final NodeId self = losingNode();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final Map<NodeId, Long> epochs = new HashMap<>();
    private final Set<NodeId> down = new HashSet<>();
    private final NodeCounters metrics = new NodeCounters();
    private final RingHolder rings = new RingHolder(STABLE, scheduler);
    private RacingWrites storage;
    private PartitionDropper dropper;

    /** A node of the old ring that replicates fewer partitions in the new one. */
    private static NodeId losingNode() {
        for (NodeId node : OLD.nodes()) {
            if (NEW.partitionsReplicatedBy(node).length < OLD.partitionsReplicatedBy(node).length) {
                return node;
            }
        }
        throw new AssertionError("no node loses a partition");
    }

    @BeforeEach
    void fill() {
        storage = new RacingWrites(MemoryStorageEngine.unlimited(OLD.partitionCount()));
        for (int partition : OLD.partitionsReplicatedBy(self)) {
            for (int i = 0; i < KEYS_PER_PARTITION; i++) {
                byte[] key = ("p" + partition + "-" + i).getBytes(StandardCharsets.UTF_8);
                storage.merge(partition, key, Entry.value(key, new Version(1_000 + i, 1)));
            }
        }
        dropper = new PartitionDropper(new PartitionDropper.Parts(self, rings, storage, this::holdsAnything,
                () -> List.copyOf(Ring.numberedNodes(4)), node -> !down.contains(node),
                node -> CompletableFuture.completedFuture(epochs.getOrDefault(node, 0L)), scheduler, metrics));
    }

    private boolean holdsAnything(int partition) {
        return count(partition) > 0;
    }

    private int count(int partition) {
        int[] count = {0};
        storage.forEachEntry(partition, (key, entry) -> count[0]++);
        return count[0];
    }

    private int[] lost() {
        return java.util.Arrays.stream(OLD.partitionsReplicatedBy(self))
                .filter(partition -> !NEW.replicas(partition).contains(self)).toArray();
    }

    private void everyoneRoutesBy(RingState state) {
        for (NodeId node : Ring.numberedNodes(4)) {
            epochs.put(node, state.epoch());
        }
    }

    @Test
    void nothingIsDroppedWhileTheMoveIsUnderWay() {
        rings.install(MOVING);
        everyoneRoutesBy(MOVING);
        assertThat(dropper.strayPartitions(MOVING)).isEmpty();
        dropper.round();
        scheduler.runAll();
        assertThat(metrics.partitionEntriesDropped.sum()).isZero();
    }

    @Test
    void nothingIsDroppedUntilEveryLiveNodeRoutesByTheFinishedEpoch() {
        rings.install(MOVING);
        rings.install(MOVED);
        everyoneRoutesBy(MOVED);
        NodeId behind = Ring.numberedNodes(4).stream().filter(node -> !node.equals(self)).findFirst().orElseThrow();
        epochs.put(behind, MOVING.epoch());

        dropper.round();
        scheduler.runAll();
        assertThat(metrics.partitionEntriesDropped.sum()).isZero();
        for (int partition : lost()) {
            assertThat(count(partition)).isEqualTo(KEYS_PER_PARTITION);
        }

        // Once the node that is behind is known to be down, it is not waited for (the fence refuses it when it returns).
        down.add(behind);
        dropper.round();
        scheduler.runAll();
        assertThat(metrics.partitionEntriesDropped.sum()).isEqualTo((long) lost().length * KEYS_PER_PARTITION);
    }

    @Test
    void dropsOnlyThePartitionsItLostInChunksAndSparesAWriteThatRacedTheDrop() {
        assertThat(lost()).isNotEmpty();
        rings.install(MOVING);
        rings.install(MOVED);
        everyoneRoutesBy(MOVED);
        int racing = lost()[0];
        storage.raceOnce(racing, new Version(9_999_999, 2));

        assertThat(dropper.strayPartitions(MOVED)).containsExactly(lost());
        dropper.round();
        scheduler.runAll();

        assertThat(count(racing)).as("the newer write survives the drop of the version it replaced").isEqualTo(1);
        assertThat(storage.get(racing, storage.racedKey).version()).isEqualTo(new Version(9_999_999, 2));
        for (int partition : lost()) {
            if (partition != racing) {
                assertThat(count(partition)).isZero();
            }
        }
        for (int partition : NEW.partitionsReplicatedBy(self)) {
            if (OLD.replicas(partition).contains(self)) {
                assertThat(count(partition)).as("kept partition %d", partition).isEqualTo(KEYS_PER_PARTITION);
            }
        }

        dropper.round();
        scheduler.runAll();
        assertThat(count(racing)).as("the next round drops what was left").isZero();
        assertThat(metrics.partitionEntriesDropped.sum()).isEqualTo((long) lost().length * KEYS_PER_PARTITION);
    }

    @Test
    void aChunkStopsWhenANewerRingStateIsInstalled() {
        rings.install(MOVING);
        rings.install(MOVED);
        everyoneRoutesBy(MOVED);
        dropper.round();
        scheduler.runOne();
        rings.install(MOVED.movingTo(OLD));
        scheduler.runAll();
        long dropped = metrics.partitionEntriesDropped.sum();
        assertThat(dropped).as("one chunk before the new state, none after").isEqualTo(PartitionDropper.CHUNK);
    }

    /** A store in which a newer write of the first key scanned lands while a chunk of the partition is being scanned. */
    private static final class RacingWrites extends ForwardingStorageEngine {

        private int partition = -1;
        private Version newer;
        byte[] racedKey;

        RacingWrites(StorageEngine delegate) {
            super(delegate);
        }

        void raceOnce(int partition, Version newer) {
            this.partition = partition;
            this.newer = newer;
        }

        @Override
        public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
            boolean race = partition == this.partition;
            delegate().scanAfter(partition, after, (key, entry) -> {
                if (race && racedKey == null) {
                    racedKey = key;
                }
                return scanner.visit(key, entry);
            });
            if (race) {
                this.partition = -1;
                delegate().merge(partition, racedKey, Entry.value(racedKey, newer));
            }
        }
    }

    /** Runs tasks (immediate or delayed) when told, in the order handed in. */
    private static final class ManualScheduler implements Scheduler {
        private final Queue<Runnable> tasks = new ArrayDeque<>();

        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        }

        void runOne() {
            Runnable task = tasks.poll();
            if (task != null) {
                task.run();
            }
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            tasks.add(task);
            return () -> tasks.remove(task);
        }

        @Override
        public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
            return () -> { };
        }
    }
}
