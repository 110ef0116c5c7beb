package io.dkv.cluster.truncate;

import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.TruncationMark;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Removes the entries a truncation mark hides from a node's store, a batch of partitions per
 * task on the scan scheduler (so a flush of a large store never holds the thread that
 * serves clients). Each entry is removed only if it still holds the version the scan saw,
 * a partition's entries as one batch ({@code StorageEngine.removeAllIfVersion}: one write in
 * RocksDB per 128 keys), through the Merkle-tracking store, so the hash trees follow and anti-entropy finds no
 * difference to chase; a write that replaced it meanwhile is newer than the mark and stays.
 *
 * <p>Thread-safe: each drop is its own chain of tasks; two drops may overlap harmlessly.
 */
public final class TruncationDropper {

    /** Partitions scanned per task. */
    static final int PARTITIONS_PER_TASK = 64;

    private final StorageEngine tracked;
    private final int partitionCount;
    private final Scheduler scanScheduler;
    private final Consumer<TruncationMark> onDropped;

    /**
     * @param tracked   the store below {@link TruncatingStorage} (it must show hidden entries)
     *                  that keeps the hash trees current
     * @param onDropped told each mark whose hidden entries are all removed ({@link TruncatingStorage#dropped})
     */
    public TruncationDropper(StorageEngine tracked, int partitionCount, Scheduler scanScheduler,
                             Consumer<TruncationMark> onDropped) {
        this.tracked = tracked;
        this.partitionCount = partitionCount;
        this.scanScheduler = scanScheduler;
        this.onDropped = onDropped;
    }

    /** Removes everything {@code mark} hides; completes with how many entries it removed. */
    public CompletableFuture<Long> drop(TruncationMark mark) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        AtomicLong dropped = new AtomicLong();
        scanScheduler.execute(() -> dropFrom(0, mark, dropped, done));
        return done;
    }

    private void dropFrom(int first, TruncationMark mark, AtomicLong dropped, CompletableFuture<Long> done) {
        try {
            int end = Math.min(partitionCount, first + PARTITIONS_PER_TASK);
            for (int partition = first; partition < end; partition++) {
                dropped.addAndGet(dropPartition(partition, mark));
            }
            if (end < partitionCount) {
                scanScheduler.execute(() -> dropFrom(end, mark, dropped, done));
            } else {
                onDropped.accept(mark);
                done.complete(dropped.get());
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private long dropPartition(int partition, TruncationMark mark) {
        List<byte[]> keys = new ArrayList<>();
        List<EntryVersion> versions = new ArrayList<>();
        // Collected first, removed after: no engine is asked to change under its own scan.
        tracked.forEachEntry(partition, (key, entry) -> {
            if (mark.hides(entry)) {
                keys.add(key);
                versions.add(entry.versions());
            }
        });
        // One batch per partition: an engine may read it together and delete with one write.
        boolean[] removed = new boolean[keys.size()];
        tracked.removeAllIfVersion(partition, keys.toArray(byte[][]::new), versions.toArray(EntryVersion[]::new), removed);
        long count = 0;
        for (boolean each : removed) {
            if (each) {
                count++;
            }
        }
        return count;
    }
}
