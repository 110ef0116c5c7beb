package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.EntryScanner;
import io.dkv.core.storage.EntryVisitor;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageAccounting;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import org.rocksdb.RocksDBException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Entries in RocksDB: durable, and bounded in memory by the block cache and memtables
 * rather than by the data.
 *
 * <p>On disk (column family {@code entries}): the key is the key's 64-bit ring hash
 * big-endian followed by the key ({@link KeyLayout}); the value is the entry with its
 * version, a format byte and room for an expiry ({@link EntryCodec}). Partition numbers are
 * not stored: a partition is a contiguous range of hashes, hence of on-disk keys, so
 * {@link #forEachEntry} is one bounded range scan, and a different partition count only
 * changes the bounds. Callers MUST pass each key's ring partition (as every caller does).
 *
 * <p>Thread-safe. {@link #merge} and {@link #removeIfVersion} read, compare and write one
 * key under a lock striped by the key's hash, which makes them atomic per key: simpler than
 * a RocksDB merge operator (which would need the version rule in native code, or a JNI
 * callback per read) and cheaper than transactions, and the read is a memtable or block
 * cache hit for recently written keys. Key, tombstone and byte counts are kept in memory;
 * on open they are read back from the last clean shutdown, else recounted by one scan.
 */
public final class RocksDbStorageEngine implements StorageEngine {

    /** Bytes counted per key on top of key and entry, as the memory engine does (index, metadata). */
    private static final byte[] COUNTERS_KEY = "entries-counters".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_PREFIX = new byte[0];

    private final RocksDbStore store;
    private final RocksDbStore.Family family;
    private final int partitionCount;
    private final StripedLocks locks = new StripedLocks(1024);
    private final StorageAccounting accounting;
    private final boolean recounted;

    RocksDbStorageEngine(RocksDbStore store, RocksDbStore.Family family, int partitionCount, long diskLimitBytes) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitionCount must be at least 1: " + partitionCount);
        }
        this.store = store;
        this.family = family;
        this.partitionCount = partitionCount;
        this.accounting = new StorageAccounting(diskLimitBytes == 0 ? Long.MAX_VALUE : diskLimitBytes, partitionCount);
        this.recounted = !loadCounters();
        if (recounted) {
            recount();
        }
    }

    public int partitionCount() {
        return partitionCount;
    }

    /** Whether the counts were rebuilt by a scan on open (the previous shutdown was not clean). */
    public boolean recounted() {
        return recounted;
    }

    public RocksDbStore store() {
        return store;
    }

    @Override
    public Entry get(int partition, byte[] key) {
        byte[] stored = store.get(family, KeyLayout.diskKey(key));
        return stored == null ? null : EntryCodec.decode(stored);
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        long hash = KeyHash.of(key);
        byte[] diskKey = KeyLayout.diskKey(hash, key, 0);
        ReentrantLock lock = locks.forHash(hash);
        lock.lock();
        try {
            byte[] stored = store.get(family, diskKey);
            Entry current = stored == null ? null : EntryCodec.decode(stored);
            Entry merged = Entry.merge(current, entry);
            if (current != null && merged.equals(current)) {
                return new MergeResult(false, current);
            }
            long delta = StorageAccounting.growth(key, current, merged);
            if (delta > 0) {
                store.ensureSpace();
            }
            accounting.reserve(delta);
            try {
                store.put(family, diskKey, EntryCodec.encode(merged));
            } catch (RuntimeException e) {
                accounting.release(delta);
                throw e;
            }
            accounting.replaced(partition, current, merged);
            return new MergeResult(true, current);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@link #BATCH_KEYS} keys at a time: their stripes' locks taken in index order (so
     * two batches cannot deadlock), one multi-get for their stored entries, one write batch
     * for the winners. A batch with nothing newer writes nothing.
     */
    @Override
    public void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        if (keys.length != entries.length || results.length < keys.length) {
            throw new IllegalArgumentException("a batch of " + keys.length + " keys needs as many entries and results, not "
                    + entries.length + " and " + results.length);
        }
        for (int from = 0; from < keys.length; from += BATCH_KEYS) {
            mergeBatch(partition, keys, entries, results, from, Math.min(keys.length, from + BATCH_KEYS));
        }
    }

    /**
     * Keys merged under one set of locks: enough to make the multi-get and the single log
     * record pay, few enough that a client write meeting one of the locks waits only for a
     * short batch.
     */
    static final int BATCH_KEYS = 128;

    private void mergeBatch(int partition, byte[][] keys, Entry[] entries, MergeResult[] results, int from, int to) {
        int count = to - from;
        List<byte[]> diskKeys = new ArrayList<>(count);
        int[] stripes = new int[count];
        for (int i = 0; i < count; i++) {
            long hash = KeyHash.of(keys[from + i]);
            diskKeys.add(KeyLayout.diskKey(hash, keys[from + i], 0));
            stripes[i] = locks.stripeOf(hash);
        }
        int[] held = Arrays.stream(stripes).sorted().distinct().toArray();
        int locked = 0;
        try {
            for (int stripe : held) {
                locks.stripe(stripe).lock();
                locked++;
            }
            List<byte[]> stored = store.multiGet(family, diskKeys);
            Entry[] current = new Entry[count];
            List<byte[]> putKeys = new ArrayList<>(count);
            List<byte[]> putValues = new ArrayList<>(count);
            boolean[] wins = new boolean[count];
            long delta = 0;
            for (int i = 0; i < count; i++) {
                byte[] bytes = stored.get(i);
                current[i] = bytes == null ? null : EntryCodec.decode(bytes);
                if (Entry.supersedes(entries[from + i], current[i])) {
                    wins[i] = true;
                    delta += StorageAccounting.growth(keys[from + i], current[i], entries[from + i]);
                    putKeys.add(diskKeys.get(i));
                    putValues.add(EntryCodec.encode(entries[from + i]));
                }
            }
            if (!putKeys.isEmpty()) {
                if (delta > 0) {
                    store.ensureSpace();
                }
                accounting.reserve(delta);
                try {
                    store.putAll(family, putKeys, putValues);
                } catch (RuntimeException e) {
                    accounting.release(delta);
                    throw e;
                }
            }
            for (int i = 0; i < count; i++) {
                if (wins[i]) {
                    accounting.replaced(partition, current[i], entries[from + i]);
                }
                results[from + i] = new MergeResult(wins[i], current[i]);
            }
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                locks.stripe(held[i]).unlock();
            }
        }
    }

    /**
     * The batch's stored entries read with one multi-get and the matching ones deleted with
     * one write, under the stripes of all its keys (taken in order, as {@link #mergeAll}
     * takes them), {@link #BATCH_KEYS} keys at a time.
     */
    @Override
    public void removeAllIfVersion(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed) {
        if (keys.length != versions.length || removed.length < keys.length) {
            throw new IllegalArgumentException("a batch of " + keys.length + " keys needs as many versions and results, not "
                    + versions.length + " and " + removed.length);
        }
        for (int from = 0; from < keys.length; from += BATCH_KEYS) {
            removeBatch(partition, keys, versions, removed, from, Math.min(keys.length, from + BATCH_KEYS));
        }
    }

    private void removeBatch(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed, int from, int to) {
        int count = to - from;
        List<byte[]> diskKeys = new ArrayList<>(count);
        int[] stripes = new int[count];
        for (int i = 0; i < count; i++) {
            long hash = KeyHash.of(keys[from + i]);
            diskKeys.add(KeyLayout.diskKey(hash, keys[from + i], 0));
            stripes[i] = locks.stripeOf(hash);
        }
        int[] held = Arrays.stream(stripes).sorted().distinct().toArray();
        int locked = 0;
        try {
            for (int stripe : held) {
                locks.stripe(stripe).lock();
                locked++;
            }
            List<byte[]> stored = store.multiGet(family, diskKeys);
            Entry[] current = new Entry[count];
            List<byte[]> deletes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] bytes = stored.get(i);
                current[i] = bytes == null ? null : EntryCodec.decode(bytes);
                if (current[i] != null && current[i].versions().equals(versions[from + i])) {
                    deletes.add(diskKeys.get(i));
                } else {
                    current[i] = null;
                }
            }
            if (!deletes.isEmpty()) {
                store.deleteAll(family, deletes);
            }
            for (int i = 0; i < count; i++) {
                removed[from + i] = current[i] != null;
                if (current[i] != null) {
                    accounting.removed(partition, keys[from + i], current[i]);
                }
            }
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                locks.stripe(held[i]).unlock();
            }
        }
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, EntryVersion version) {
        long hash = KeyHash.of(key);
        byte[] diskKey = KeyLayout.diskKey(hash, key, 0);
        ReentrantLock lock = locks.forHash(hash);
        lock.lock();
        try {
            byte[] stored = store.get(family, diskKey);
            if (stored == null) {
                return false;
            }
            Entry current = EntryCodec.decode(stored);
            if (!current.versions().equals(version)) {
                return false;
            }
            store.delete(family, diskKey);
            accounting.removed(partition, key, current);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalArgumentException("partition " + partition + " is not in 0.." + (partitionCount - 1));
        }
        store.scan(family, KeyLayout.lowerBound(NO_PREFIX, partition, partitionCount),
                KeyLayout.upperBound(NO_PREFIX, partition, partitionCount), (diskKey, value) -> {
                    visitor.visit(KeyLayout.userKey(diskKey, 0), EntryCodec.decode(value));
                    return true;
                });
    }

    /** One bounded range scan from just after {@code after}'s on-disk key: the disk order is stream order. */
    @Override
    public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalArgumentException("partition " + partition + " is not in 0.." + (partitionCount - 1));
        }
        byte[] lower = KeyLayout.lowerBound(NO_PREFIX, partition, partitionCount);
        if (after != null) {
            // The smallest on-disk key greater than after's: the same bytes with a zero byte added.
            byte[] afterDisk = KeyLayout.diskKey(after);
            byte[] next = Arrays.copyOf(afterDisk, afterDisk.length + 1);
            if (Arrays.compareUnsigned(next, lower) > 0) {
                lower = next;
            }
        }
        store.scan(family, lower, KeyLayout.upperBound(NO_PREFIX, partition, partitionCount),
                (diskKey, value) -> scanner.visit(KeyLayout.userKey(diskKey, 0), EntryCodec.decode(value)));
    }

    /** Seeks to the hash: on disk, keys are ordered by hash first ({@link KeyLayout}). */
    @Override
    public void scanFrom(int partition, long fromHash, EntryScanner scanner) {
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalArgumentException("partition " + partition + " is not in 0.." + (partitionCount - 1));
        }
        byte[] lower = KeyLayout.lowerBound(NO_PREFIX, partition, partitionCount);
        byte[] from = new byte[Long.BYTES];
        KeyLayout.putLong(from, 0, fromHash);
        if (Arrays.compareUnsigned(from, lower) > 0) {
            lower = from;
        }
        store.scan(family, lower, KeyLayout.upperBound(NO_PREFIX, partition, partitionCount),
                (diskKey, value) -> scanner.visit(KeyLayout.userKey(diskKey, 0), EntryCodec.decode(value)));
    }

    @Override
    public long keyCount() {
        return accounting.values();
    }

    @Override
    public long keyCount(int partition) {
        return accounting.values(partition);
    }

    @Override
    public long tombstoneCount() {
        return accounting.tombstones();
    }

    /** Bytes of keys, entries and per-key overhead stored (what the limit counts), not file sizes. */
    @Override
    public CompletableFuture<Void> whenDurable() {
        return store.whenDurable();
    }

    @Override
    public long bytes() {
        return accounting.bytes();
    }

    /** Closes the whole store (this engine, the hint store beside it, the data directory). */
    @Override
    public void close() {
        store.close();
    }

    /**
     * Called by the store while it closes: the counts, so a clean restart need not recount.
     * Format 2: the three totals, then the values of each partition (format 1, without them,
     * is recounted on open).
     */
    void saveCounters() throws RocksDBException {
        byte[] value = new byte[1 + (3 + partitionCount) * Long.BYTES];
        value[0] = 2;
        KeyLayout.putLong(value, 1, accounting.values());
        KeyLayout.putLong(value, 9, accounting.tombstones());
        KeyLayout.putLong(value, 17, accounting.bytes());
        for (int partition = 0; partition < partitionCount; partition++) {
            KeyLayout.putLong(value, 25 + partition * Long.BYTES, accounting.values(partition));
        }
        store.putWhileClosing(RocksDbStore.Family.META, COUNTERS_KEY, value);
    }

    /**
     * Takes the counts saved at a clean shutdown, once; false when there are none to trust
     * (none saved, an unclean shutdown, an older format, or another partition count).
     */
    private boolean loadCounters() {
        byte[] saved = store.getMeta(COUNTERS_KEY);
        if (saved != null) {
            store.deleteMeta(COUNTERS_KEY);
        }
        if (saved == null || saved.length != 1 + (3 + partitionCount) * Long.BYTES || saved[0] != 2
                || !store.directory().wasCleanShutdown()) {
            return false;
        }
        long[] partitionValues = new long[partitionCount];
        for (int partition = 0; partition < partitionCount; partition++) {
            partitionValues[partition] = KeyLayout.getLong(saved, 25 + partition * Long.BYTES);
        }
        accounting.restore(KeyLayout.getLong(saved, 1), KeyLayout.getLong(saved, 9), KeyLayout.getLong(saved, 17),
                partitionValues);
        return true;
    }

    private void recount() {
        store.scan(family, NO_PREFIX, null, (diskKey, value) -> {
            Entry entry = EntryCodec.decode(value);
            // Ring.partitionOfHash: the partition is the hash's top 32 bits scaled to the count.
            long top32 = KeyLayout.getLong(diskKey, 0) >>> 32;
            int partition = (int) ((top32 * partitionCount) >>> 32);
            accounting.counted(partition, diskKey.length - KeyLayout.HASH_BYTES, entry);
            return true;
        });
    }
}
