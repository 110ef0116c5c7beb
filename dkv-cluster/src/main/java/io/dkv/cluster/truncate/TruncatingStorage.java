package io.dkv.cluster.truncate;

import io.dkv.core.Entry;
import io.dkv.core.TruncationMark;
import io.dkv.core.storage.EntryScanner;
import io.dkv.core.storage.EntryVisitor;
import io.dkv.core.storage.ForwardingStorageEngine;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;

/**
 * The store as everything above it must see it after a flush: entries the truncation mark
 * hides are absent, and an entry the mark hides is never stored again. This one wrapper is
 * the check on every path that writes into or reads out of a replica's store: client writes
 * and reads, read repair, hint replays, anti-entropy (both the digests it offers and the
 * entries it takes), partition streaming (both ends) and tombstone collection.
 *
 * <p>It sits above the Merkle-tracking store: hidden entries stay in the hash trees until
 * {@link TruncationDropper} removes them through that store, so the trees always count what
 * the engine holds. Counts ({@link #keyCount()}) include hidden entries until then; a
 * partition's count ({@link #keyCount(int)}) does not: until the dropper reports the mark
 * done it counts by a scan that skips hidden entries, then it is the engine's count again.
 *
 * <p>Thread-safe, as the engine it wraps.
 */
public final class TruncatingStorage extends ForwardingStorageEngine {

    private final TruncationRegister marks;
    /** The highest mark whose hidden entries the dropper removed: the engine's counts hold none it hides. */
    private volatile long droppedStamp;

    public TruncatingStorage(StorageEngine delegate, TruncationRegister marks) {
        super(delegate);
        this.marks = marks;
    }

    @Override
    public Entry get(int partition, byte[] key) {
        return marks.current().strip(delegate().get(partition, key));
    }

    /**
     * Stores the entry unless the mark hides it; a hidden entry is accepted and forgotten
     * (the write it came from happened before the flush, so the flush removed it). What the
     * key held before is reported as absent when the mark hides it.
     */
    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        if (marks.hides(entry)) {
            return new MergeResult(false, get(partition, key));
        }
        MergeResult result = delegate().merge(partition, key, marks.current().strip(entry));
        return marks.hides(result.previous()) ? new MergeResult(result.applied(), null) : result;
    }

    /**
     * A streamed chunk, as {@link #merge} would store each entry: the entries the mark hides
     * are accepted and forgotten, the others go to the engine as one batch.
     */
    @Override
    public void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        int[] shown = new int[keys.length];
        int count = 0;
        for (int i = 0; i < keys.length; i++) {
            if (marks.hides(entries[i])) {
                results[i] = new MergeResult(false, get(partition, keys[i]));
            } else {
                shown[count++] = i;
            }
        }
        if (count == keys.length) {
            delegate().mergeAll(partition, keys, entries, results);
            hidePrevious(results, keys.length);
            return;
        }
        byte[][] keptKeys = new byte[count][];
        Entry[] keptEntries = new Entry[count];
        for (int j = 0; j < count; j++) {
            keptKeys[j] = keys[shown[j]];
            keptEntries[j] = entries[shown[j]];
        }
        MergeResult[] keptResults = new MergeResult[count];
        try {
            delegate().mergeAll(partition, keptKeys, keptEntries, keptResults);
        } finally {
            for (int j = 0; j < count; j++) {
                results[shown[j]] = keptResults[j];
            }
            hidePrevious(results, keys.length);
        }
    }

    private void hidePrevious(MergeResult[] results, int length) {
        for (int i = 0; i < length; i++) {
            if (results[i] != null && marks.hides(results[i].previous())) {
                results[i] = new MergeResult(results[i].applied(), null);
            }
        }
    }

    /**
     * The dropper removed every entry {@code mark} hides (and this wrapper lets no hidden
     * entry in again): the engine's per-partition counts are exact again up to that mark.
     */
    public synchronized void dropped(TruncationMark mark) {
        droppedStamp = Math.max(droppedStamp, mark.stamp());
    }

    @Override
    public long keyCount(int partition) {
        TruncationMark now = marks.current();
        if (now.isNone() || now.stamp() <= droppedStamp) {
            return delegate().keyCount(partition);
        }
        long[] values = {0};
        forEachEntry(partition, (key, entry) -> {
            if (!entry.isTombstone()) {
                values[0]++;
            }
        });
        return values[0];
    }

    @Override
    public void scanFrom(int partition, long fromHash, EntryScanner scanner) {
        delegate().scanFrom(partition, fromHash, (key, entry) -> marks.hides(entry) || scanner.visit(key, entry));
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        delegate().forEachEntry(partition, (key, entry) -> {
            if (!marks.hides(entry)) {
                visitor.visit(key, entry);
            }
        });
    }

    @Override
    public void forEachDeadBefore(int partition, long cutoffMillis, EntryVisitor visitor) {
        delegate().forEachDeadBefore(partition, cutoffMillis, (key, entry) -> {
            if (!marks.hides(entry)) {
                visitor.visit(key, entry);
            }
        });
    }

    @Override
    public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
        delegate().scanAfter(partition, after, (key, entry) -> marks.hides(entry) || scanner.visit(key, entry));
    }
}
