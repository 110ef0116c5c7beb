package io.dkv.cluster.rebalance;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.NodeId;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Deletes the entries of partitions this node no longer replicates, once a ring change is
 * over and every live node routes by the epoch that ended it.
 *
 * <p>A round ({@link #round}, periodic on the node's scheduler) does nothing while a move is
 * under way. Otherwise it looks for partitions this node is not a replica of in the ring in
 * force but may still hold something of ({@link Parts#mayHold}: in a node, their hash tree
 * is not built yet or its root is not the empty one, so no scan is needed), asks every node of the cluster that is up for the epoch it
 * routes by ({@link EpochProbe}), and only when each answers at least the epoch in force
 * deletes those partitions' entries, {@link #CHUNK} at a time on the scan scheduler.
 *
 * <p>Why wait for the others: a coordinator still routing by the ring before the change would
 * read this node as a replica. The {@link EpochFence} already refuses such a read once this
 * node knows the newer epoch, but reads and writes sent without an epoch (repair, inspection)
 * are not fenced, and a node that restarted may not know the newest epoch for a while; once
 * every live node routes by an epoch under which this node does not hold the partition,
 * nobody asks it for one. A node that is down is not waited for: when it comes back it
 * routes by an older epoch, and the fence refuses its requests here. An unreachable node
 * that is not known to be down holds the drop back (safe, not live) until it answers or is
 * marked down.
 *
 * <p>Each entry is deleted with {@link StorageEngine#removeIfVersion} for the version the scan
 * saw, so a newer write that arrived meanwhile (a late hint, a repair from a peer that did
 * not know the new ring yet) survives; the next round finds the partition non-empty again
 * and drops it then. A chunk stops when the ring state in force changed since the round
 * began; the next round decides afresh.
 *
 * <p>Threading: rounds run on the node's scheduler, chunks on the scan scheduler, replies on
 * any thread; one drop runs at a time (an atomic flag).
 */
public final class PartitionDropper {

    private static final Logger log = LoggerFactory.getLogger(PartitionDropper.class);

    /** Entries deleted per task on the scan scheduler. */
    static final int CHUNK = 512;
    /** The pause between chunks, so that the scan scheduler's other work runs between them. */
    static final long PAUSE_MILLIS = 1;

    /** Asks a node which ring epoch it routes by. */
    @FunctionalInterface
    public interface EpochProbe {
        CompletableFuture<Long> epochOf(NodeId node);
    }

    /** What a dropper is handed. */
    /**
     * @param mayHold whether this node may hold entries of a partition (in a node: its hash
     *                tree is not built yet, or its root is not the empty one), so that finding
     *                the partitions to drop needs no scan
     */
    public record Parts(NodeId self, RingHolder rings, StorageEngine storage, IntPredicate mayHold,
                        Supplier<Collection<NodeId>> cluster, LivenessView liveness, EpochProbe probe,
                        Scheduler scanScheduler, NodeCounters metrics) {
    }

    private final NodeId self;
    private final RingHolder rings;
    private final StorageEngine storage;
    private final IntPredicate mayHold;
    private final Supplier<Collection<NodeId>> cluster;
    private final LivenessView liveness;
    private final EpochProbe probe;
    private final Scheduler scanScheduler;
    private final NodeCounters metrics;
    private final AtomicBoolean running = new AtomicBoolean();

    public PartitionDropper(Parts parts) {
        this.self = parts.self();
        this.rings = parts.rings();
        this.storage = parts.storage();
        this.mayHold = parts.mayHold();
        this.cluster = parts.cluster();
        this.liveness = parts.liveness();
        this.probe = parts.probe();
        this.scanScheduler = parts.scanScheduler();
        this.metrics = parts.metrics();
    }

    /** Partitions this node holds something of and does not replicate in {@code state} (none while it moves). */
    public int[] strayPartitions(RingState state) {
        // The first epoch is the ring the cluster was created with: nobody ever held another
        // placement, so no node holds a partition it does not replicate (and a large cluster
        // skips the walk over every partition).
        if (state.moving() || state.epoch() == RingState.initial(state.current()).epoch()) {
            return new int[0];
        }
        List<Integer> stray = new ArrayList<>();
        for (int partition = 0; partition < state.current().partitionCount(); partition++) {
            if (!state.current().replicas(partition).contains(self)
                    && mayHold.test(partition)) {
                stray.add(partition);
            }
        }
        return stray.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Starts dropping stray partitions if there are any and every live node routes by the epoch in force. */
    public void round() {
        RingState state = rings.state();
        int[] stray = strayPartitions(state);
        if (stray.length == 0 || !running.compareAndSet(false, true)) {
            return;
        }
        List<CompletableFuture<Boolean>> acks = new ArrayList<>();
        for (NodeId node : cluster.get()) {
            if (!node.equals(self) && liveness.isUp(node)) {
                acks.add(probe.epochOf(node).handle((epoch, error) -> error == null && epoch >= state.epoch()));
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).whenComplete((done, error) -> {
            boolean everyone = acks.stream().allMatch(CompletableFuture::join);
            if (!everyone || rings.state() != state) {
                running.set(false);
                return;
            }
            log.info("{}: every live node routes by ring epoch {}; dropping {} partition(s) this node no longer"
                    + " replicates", self, state.epoch(), stray.length);
            scanScheduler.execute(() -> dropChunk(state, stray, 0, null));
        });
    }

    /** Deletes up to {@link #CHUNK} entries of {@code stray[index]} after key {@code after}, then schedules the rest. */
    private void dropChunk(RingState state, int[] stray, int index, byte[] after) {
        if (index >= stray.length || rings.state() != state) {
            running.set(false);
            return;
        }
        int partition = stray[index];
        List<byte[]> keys = new ArrayList<>();
        List<EntryVersion> versions = new ArrayList<>();
        try {
            storage.scanAfter(partition, after, (key, entry) -> {
                keys.add(key);
                versions.add(entry.versions());
                return keys.size() < CHUNK;
            });
            for (int i = 0; i < keys.size(); i++) {
                if (storage.removeIfVersion(partition, keys.get(i), versions.get(i))) {
                    metrics.partitionEntriesDropped.increment();
                }
            }
        } catch (RuntimeException e) {
            running.set(false);
            log.warn("{}: dropping partition {} failed; the next round tries again: {}", self, partition, e.toString());
            return;
        }
        if (keys.size() == CHUNK) {
            byte[] last = keys.get(keys.size() - 1);
            scanScheduler.schedule(PAUSE_MILLIS, () -> dropChunk(state, stray, index, last));
        } else {
            scanScheduler.schedule(PAUSE_MILLIS, () -> dropChunk(state, stray, index + 1, null));
        }
    }
}
