package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.version.EntryVersion;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Keeps entries in memory: one {@link PartitionTable} per partition, created when the
 * partition receives its first key, holding each key and its entry in one byte array
 * ({@link EntryRecords}).
 *
 * <p>Thread-safe: reads take no lock; a merge holds its partition's table lock while it reads,
 * merges and stores, so merges of one key are atomic and writers of different partitions
 * never wait for each other (a node has hundreds of partitions and a few event-loop threads).
 * The memory limit is checked before each growing write; writers racing at the limit may
 * pass it by at most one entry each. The limit weighs entries as every engine does
 * ({@link StorageAccounting}), not by the bytes of their records.
 */
public final class MemoryStorageEngine implements StorageEngine {

    /** Memory keeps nothing across a restart, so a merge is as durable as it gets once it returns. */
    private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

    private final AtomicReferenceArray<PartitionTable> partitions;
    private final StorageAccounting accounting;

    /**
     * @param partitionCount   partitions of the ring this engine serves
     * @param memoryLimitBytes writes that would take the engine past this are refused
     */
    public MemoryStorageEngine(int partitionCount, long memoryLimitBytes) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitionCount must be at least 1: " + partitionCount);
        }
        if (memoryLimitBytes < 1) {
            throw new IllegalArgumentException("memoryLimitBytes must be positive: " + memoryLimitBytes);
        }
        this.partitions = new AtomicReferenceArray<>(partitionCount);
        this.accounting = new StorageAccounting(memoryLimitBytes, partitionCount);
    }

    /** An engine limited only by the JVM heap. */
    public static MemoryStorageEngine unlimited(int partitionCount) {
        return new MemoryStorageEngine(partitionCount, Long.MAX_VALUE);
    }

    @Override
    public Entry get(int partition, byte[] key) {
        PartitionTable table = partitions.get(partition);
        Object record = table == null ? null : table.find(key);
        return record == null ? null : EntryRecords.decode(record);
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        return merge(partition, partitionTable(partition), key, entry);
    }

    /** One partition's batch under one hold of its lock (the lock is reentrant, each key is merged as {@link #merge} does). */
    @Override
    public void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        if (keys.length != entries.length || results.length < keys.length) {
            throw new IllegalArgumentException("a batch of " + keys.length + " keys needs as many entries and results, not "
                    + entries.length + " and " + results.length);
        }
        PartitionTable table = partitionTable(partition);
        synchronized (table) {
            for (int i = 0; i < keys.length; i++) {
                results[i] = merge(partition, table, keys[i], entries[i]);
            }
        }
    }

    private MergeResult merge(int partition, PartitionTable table, byte[] key, Entry entry) {
        return table.update(key, current -> {
            Entry merged = Entry.merge(current, entry);
            if (current != null && merged.equals(current)) {
                return null;
            }
            accounting.reserve(StorageAccounting.growth(key, current, merged));
            accounting.replaced(partition, current, merged);
            return merged;
        });
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, EntryVersion version) {
        PartitionTable table = partitions.get(partition);
        if (table == null) {
            return false;
        }
        Entry removed = table.removeIf(key, current -> current.versions().equals(version));
        if (removed == null) {
            return false;
        }
        accounting.removed(partition, key, removed);
        return true;
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        PartitionTable table = partitions.get(partition);
        if (table != null) {
            table.forEachRecord(record -> false, (key, record) -> visitor.visit(key, EntryRecords.decode(record)));
        }
    }

    /** Skips, without decoding them, the entries that hold a value and no expiry: most of them. */
    @Override
    public void forEachDeadBefore(int partition, long cutoffMillis, EntryVisitor visitor) {
        PartitionTable table = partitions.get(partition);
        if (table != null) {
            table.forEachRecord(EntryRecords::livesUntilDeleted, (key, record) -> {
                Entry entry = EntryRecords.decode(record);
                if (entry.deadSinceMillis() < cutoffMillis) {
                    visitor.visit(key, entry);
                }
            });
        }
    }

    /**
     * Sorts the partition's keys after {@code after} on every call (the table has no order):
     * n log n per chunk of a stream, which is cheap for the partitions a memory engine
     * holds, and keeps the hot path free of an ordered index that only streaming would use.
     * Entries are decoded only for the keys visited.
     */
    @Override
    public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
        PartitionTable table = partitions.get(partition);
        if (table == null) {
            return;
        }
        long afterHash = after == null ? 0 : KeyHash.of(after);
        List<HashedRecord> found = new ArrayList<>();
        table.forEachRecord(record -> false, (key, record) -> {
            long hash = KeyHash.of(key);
            if (after == null || StreamOrder.compare(hash, key, afterHash, after) > 0) {
                found.add(new HashedRecord(hash, key, record));
            }
        });
        found.sort((a, b) -> StreamOrder.compare(a.hash, a.key, b.hash, b.key));
        for (HashedRecord each : found) {
            if (!scanner.visit(each.key, EntryRecords.decode(each.record))) {
                return;
            }
        }
    }

    private record HashedRecord(long hash, byte[] key, Object record) {
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

    @Override
    public CompletableFuture<Void> whenDurable() {
        return DURABLE;
    }

    @Override
    public long bytes() {
        return accounting.bytes();
    }

    public long memoryLimitBytes() {
        return accounting.limitBytes();
    }

    @Override
    public void close() {
        // Nothing to release: the tables go with the engine.
    }

    private PartitionTable partitionTable(int partition) {
        PartitionTable table = partitions.get(partition);
        if (table == null) {
            partitions.compareAndSet(partition, null, new PartitionTable());
            table = partitions.get(partition);
        }
        return table;
    }
}
