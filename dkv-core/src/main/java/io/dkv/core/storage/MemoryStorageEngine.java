package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.version.EntryVersion;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Keeps entries in memory: one {@link ConcurrentHashMap} per partition, created when the
 * partition receives its first key.
 *
 * <p>Thread-safe without a global lock: a merge is a {@code compute} on one key's bin, so
 * writers of different keys never wait for each other. The memory limit is checked before
 * each growing write; writers racing at the limit may pass it by at most one entry each.
 */
public final class MemoryStorageEngine implements StorageEngine {

    /** Memory keeps nothing across a restart, so a merge is as durable as it gets once it returns. */
    private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

    private final AtomicReferenceArray<ConcurrentHashMap<BytesKey, Entry>> partitions;
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
        ConcurrentHashMap<BytesKey, Entry> map = partitions.get(partition);
        return map == null ? null : map.get(new BytesKey(key));
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        ConcurrentHashMap<BytesKey, Entry> map = partitionMap(partition);
        Entry[] previous = new Entry[1];
        boolean[] applied = new boolean[1];
        map.compute(new BytesKey(key), (k, current) -> {
            previous[0] = current;
            Entry merged = Entry.merge(current, entry);
            if (current != null && merged.equals(current)) {
                return current;
            }
            accounting.reserve(StorageAccounting.growth(key, current, merged));
            accounting.replaced(partition, current, merged);
            applied[0] = true;
            return merged;
        });
        return new MergeResult(applied[0], previous[0]);
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, EntryVersion version) {
        ConcurrentHashMap<BytesKey, Entry> map = partitions.get(partition);
        if (map == null) {
            return false;
        }
        boolean[] removed = new boolean[1];
        map.computeIfPresent(new BytesKey(key), (k, current) -> {
            if (!current.versions().equals(version)) {
                return current;
            }
            accounting.removed(partition, key, current);
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        ConcurrentHashMap<BytesKey, Entry> map = partitions.get(partition);
        if (map != null) {
            map.forEach((key, entry) -> visitor.visit(key.bytes(), entry));
        }
    }

    /**
     * Sorts the partition's keys after {@code after} on every call (the map has no order):
     * n log n per chunk of a stream, which is cheap for the partitions a memory engine
     * holds, and keeps the hot path free of an ordered index that only streaming would use.
     */
    @Override
    public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
        ConcurrentHashMap<BytesKey, Entry> map = partitions.get(partition);
        if (map == null) {
            return;
        }
        long afterHash = after == null ? 0 : KeyHash.of(after);
        List<HashedEntry> found = new ArrayList<>();
        map.forEach((key, entry) -> {
            long hash = KeyHash.of(key.bytes());
            if (after == null || StreamOrder.compare(hash, key.bytes(), afterHash, after) > 0) {
                found.add(new HashedEntry(hash, key.bytes(), entry));
            }
        });
        found.sort((a, b) -> StreamOrder.compare(a.hash, a.key, b.hash, b.key));
        for (HashedEntry each : found) {
            if (!scanner.visit(each.key, each.entry)) {
                return;
            }
        }
    }

    private record HashedEntry(long hash, byte[] key, Entry entry) {
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
        // Nothing to release: the maps go with the engine.
    }

    private ConcurrentHashMap<BytesKey, Entry> partitionMap(int partition) {
        ConcurrentHashMap<BytesKey, Entry> map = partitions.get(partition);
        if (map == null) {
            partitions.compareAndSet(partition, null, new ConcurrentHashMap<>());
            map = partitions.get(partition);
        }
        return map;
    }
}
