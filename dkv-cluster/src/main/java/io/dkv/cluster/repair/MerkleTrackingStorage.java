package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.storage.ForwardingStorageEngine;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A storage engine that keeps the node's {@link MerkleTrees} in step with every change, so
 * anti-entropy never has to scan to compare, and that builds a partition's tree from its
 * entries while writes keep coming ({@link #build}). Everything else passes straight through.
 *
 * <p>Thread-safe, as the engine it wraps.
 */
public final class MerkleTrackingStorage extends ForwardingStorageEngine {

    /*
     * Building a tree while writes continue. A write that replaces version a by b adds
     * digest(a) ^ digest(b) to its leaf; a scan that reads b and a delta that is also
     * applied would count b twice (and a not at all). The rule that prevents it:
     *
     *   every change to partition p is counted either by p's scan or by a delta, never both
     *   and never neither.
     *
     * Each partition has a read/write guard (shared with a stripe of partitions, see below).
     * A write to a partition whose tree is not built holds the guard's shared side around
     * both the storage change and its delta, and checks "built" again inside
     * (MerkleTrees.changed ignores a change to a tree not built). The build holds the
     * exclusive side around scan and publication. So a write under the guard either completed
     * before the scan started (the scan sees its result: forEachEntry may miss only writes
     * that run concurrently; the tree was not built, so no delta), or started after the
     * publication (the tree is built, so the delta is applied; the scan is over and did not
     * see it). A write that finds the tree built without the guard read the flag after the
     * publication, which came after the scan: its change is not in the scan, and its delta is
     * applied. Deltas of one key telescope because merge reports the version it replaced
     * atomically per key (the StorageEngine contract), so after the build each leaf is the
     * XOR over what the partition holds, exactly as for a tree kept from the first write.
     *
     * The guards are striped (partition modulo GUARD_STRIPES; a node of a large cluster has
     * tens of thousands of partitions, few of them its own): a stripe's exclusive side held
     * for one partition also holds off writes to the other unbuilt partitions of the stripe,
     * which costs a wait and nothing else. So the cost: writes to an unbuilt partition may
     * wait while a partition of its stripe is scanned (tens of milliseconds for tens of
     * thousands of keys), once per start; writes to a built partition never touch a guard.
     */

    static final int GUARD_STRIPES = 64;

    private final MerkleTrees trees;
    private final ReentrantReadWriteLock[] guards;

    public MerkleTrackingStorage(StorageEngine delegate, MerkleTrees trees) {
        super(delegate);
        this.trees = trees;
        this.guards = new ReentrantReadWriteLock[Math.min(GUARD_STRIPES, trees.partitionCount())];
        for (int stripe = 0; stripe < guards.length; stripe++) {
            guards[stripe] = new ReentrantReadWriteLock();
        }
    }

    public MerkleTrees trees() {
        return trees;
    }

    /**
     * Builds the partition's tree from what the storage holds, unless it is built already;
     * returns the entries scanned. Writes to the partition wait meanwhile (see the comment
     * at the top of the class). MUST NOT be called from inside a visit of this storage.
     */
    public long build(int partition) {
        if (trees.isBuilt(partition)) {
            return 0;
        }
        Lock exclusive = guard(partition).writeLock();
        exclusive.lock();
        try {
            return trees.build(partition, delegate());
        } finally {
            exclusive.unlock();
        }
    }

    private ReentrantReadWriteLock guard(int partition) {
        return guards[partition % guards.length];
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        if (trees.isBuilt(partition)) {
            return mergeAndTrack(partition, key, entry);
        }
        Lock shared = guard(partition).readLock();
        shared.lock();
        try {
            return mergeAndTrack(partition, key, entry);
        } finally {
            shared.unlock();
        }
    }

    /** One guard for the whole batch (all of one partition), and each stored merge counted in the tree. */
    @Override
    public void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        if (trees.isBuilt(partition)) {
            mergeAllAndTrack(partition, keys, entries, results);
            return;
        }
        Lock shared = guard(partition).readLock();
        shared.lock();
        try {
            mergeAllAndTrack(partition, keys, entries, results);
        } finally {
            shared.unlock();
        }
    }

    private void mergeAllAndTrack(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        try {
            delegate().mergeAll(partition, keys, entries, results);
        } finally {
            // Also when the batch was refused part way: what was stored is counted.
            for (int i = 0; i < keys.length; i++) {
                if (results[i] != null && results[i].applied()) {
                    Entry previous = results[i].previous();
                    trees.changed(partition, keys[i], previous, Entry.merge(previous, entries[i]));
                }
            }
        }
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, EntryVersion version) {
        if (trees.isBuilt(partition)) {
            return removeAndTrack(partition, key, version);
        }
        Lock shared = guard(partition).readLock();
        shared.lock();
        try {
            return removeAndTrack(partition, key, version);
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void removeAllIfVersion(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed) {
        if (trees.isBuilt(partition)) {
            removeAllAndTrack(partition, keys, versions, removed);
            return;
        }
        Lock shared = guard(partition).readLock();
        shared.lock();
        try {
            removeAllAndTrack(partition, keys, versions, removed);
        } finally {
            shared.unlock();
        }
    }

    private void removeAllAndTrack(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed) {
        delegate().removeAllIfVersion(partition, keys, versions, removed);
        for (int i = 0; i < keys.length; i++) {
            if (removed[i]) {
                trees.changed(partition, keys[i], versions[i], null);
            }
        }
    }

    private MergeResult mergeAndTrack(int partition, byte[] key, Entry entry) {
        MergeResult result = delegate().merge(partition, key, entry);
        if (result.applied()) {
            trees.changed(partition, key, result.previous(), Entry.merge(result.previous(), entry));
        }
        return result;
    }

    private boolean removeAndTrack(int partition, byte[] key, EntryVersion version) {
        boolean removed = delegate().removeIfVersion(partition, key, version);
        if (removed) {
            trees.changed(partition, key, version, null);
        }
        return removed;
    }
}
