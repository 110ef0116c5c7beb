package io.dkv.cluster.repair;

import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the node's Merkle trees after it starts, in the background, so that a node that
 * restarts with its data serves reads and writes at once instead of after a scan of
 * everything it holds.
 *
 * <p>A few partitions per task on the node's scan scheduler ({@code NodeContext.scanScheduler}:
 * in a server a thread of its own, so scans never hold the event loop that serves clients;
 * in the simulator the node's scheduler, in virtual time), {@link #PAUSE_MILLIS} apart, so
 * that where the scans do share a thread with the node's other duties (gossip above all,
 * or peers would think it down) those are served between two partitions. Until a partition's tree is built,
 * anti-entropy neither compares it nor answers for it, and a recovering node does not
 * finish recovering ({@link AntiEntropy}). A partition whose scan fails is tried again
 * after {@link #RETRY_MILLIS}.
 *
 * <p>Thread-safety: building runs on the scan scheduler's thread only; the progress figures
 * are volatile and may be read from any thread.
 */
public final class MerkleTreeBuilder {

    private static final Logger log = LoggerFactory.getLogger(MerkleTreeBuilder.class);
    static final long RETRY_MILLIS = 1_000;
    /**
     * The pause between two partitions. Not {@code execute}: a Netty event loop looks at the
     * clock only every 64 queued tasks, so a chain of immediate tasks kept a node with 64
     * partitions from answering anyone until every tree was built; a timed task lets the
     * loop read its sockets first.
     */
    static final long PAUSE_MILLIS = 1;
    /**
     * A task goes on to the next partition while it has scanned fewer entries than this and
     * built fewer than {@link #PARTITIONS_PER_TASK} partitions: one partition per task made
     * a node with 4096 empty partitions take 4 s (one pause each) before it could compare
     * anything or finish recovering, while scanning an empty partition takes microseconds.
     */
    static final long ENTRIES_PER_TASK = 10_000;
    static final int PARTITIONS_PER_TASK = 64;

    private final NodeId self;
    private final MerkleTrackingStorage storage;
    private final Scheduler scheduler;
    private final Clock clock;
    private final int[] partitions;
    private int next;
    private long startedNanos;
    private volatile long entries;
    private volatile long builtInMillis = -1;
    private volatile boolean stopped;

    /** Builds the trees of {@code partitions} (those the node may hold entries of), in that order. */
    public MerkleTreeBuilder(NodeId self, MerkleTrackingStorage storage, int[] partitions, Scheduler scheduler,
                             Clock clock) {
        this.self = self;
        this.partitions = partitions.clone();
        this.storage = storage;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Starts building the trees that are not built yet. */
    public void start() {
        startedNanos = clock.monotonicNanos();
        scheduler.execute(this::buildNext);
    }

    /** Stops after the partition being built, if any (the node is stopping). */
    public void stop() {
        stopped = true;
    }

    /** Partitions whose tree is built, of all the ring's (those the node does not replicate are, from the start). */
    public int built() {
        return storage.trees().builtCount();
    }

    /** Bytes of Merkle leaves the node holds: 8 per leaf, {@link MerkleTrees#LEAVES} leaves per partition holding anything. */
    public long leafBytes() {
        return storage.trees().allocatedLeaves() * Long.BYTES;
    }

    /** Entries (keys and tombstones) scanned so far. */
    public long entriesScanned() {
        return entries;
    }

    /** How long building every tree took, or -1 while some are not built. */
    public long builtInMillis() {
        return builtInMillis;
    }

    private void buildNext() {
        if (stopped) {
            return;
        }
        MerkleTrees trees = storage.trees();
        while (next < partitions.length && trees.isBuilt(partitions[next])) {
            next++;
        }
        if (next == partitions.length) {
            finished();
            return;
        }
        long scanned = 0;
        for (int built = 0; built < PARTITIONS_PER_TASK && scanned < ENTRIES_PER_TASK && next < partitions.length;
             built++, next++) {
            try {
                scanned += storage.build(partitions[next]);
            } catch (RuntimeException e) {
                entries += scanned;
                if (stopped) {
                    return;
                }
                log.warn("{}: building the merkle tree of partition {} failed, trying again in {} ms: {}", self,
                        partitions[next], RETRY_MILLIS, e.toString());
                scheduler.schedule(RETRY_MILLIS, this::buildNext);
                return;
            }
        }
        entries += scanned;
        scheduler.schedule(PAUSE_MILLIS, this::buildNext);
    }

    private void finished() {
        builtInMillis = (clock.monotonicNanos() - startedNanos) / 1_000_000;
        if (entries > 0) {
            log.info("{}: merkle trees built for {} partitions, {} keys (tombstones included), in {} ms;"
                    + " anti-entropy compares them from now on", self, partitions.length, entries, builtInMillis);
        } else {
            log.debug("{}: merkle trees built for {} empty partitions in {} ms", self, partitions.length,
                    builtInMillis);
        }
    }
}
