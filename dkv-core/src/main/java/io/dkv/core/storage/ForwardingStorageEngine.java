package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.EntryVersion;

import java.util.concurrent.CompletableFuture;

/**
 * A storage engine that passes every call to another; a wrapper overrides only what it
 * changes, and a method added to {@link StorageEngine} later reaches the wrapped engine
 * without touching each wrapper.
 */
public abstract class ForwardingStorageEngine implements StorageEngine {

    private final StorageEngine delegate;

    protected ForwardingStorageEngine(StorageEngine delegate) {
        this.delegate = delegate;
    }

    protected final StorageEngine delegate() {
        return delegate;
    }

    @Override
    public Entry get(int partition, byte[] key) {
        return delegate.get(partition, key);
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        return delegate.merge(partition, key, entry);
    }

    @Override
    public void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        delegate.mergeAll(partition, keys, entries, results);
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, EntryVersion version) {
        return delegate.removeIfVersion(partition, key, version);
    }

    @Override
    public void removeAllIfVersion(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed) {
        delegate.removeAllIfVersion(partition, keys, versions, removed);
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        delegate.forEachEntry(partition, visitor);
    }

    @Override
    public void forEachDeadBefore(int partition, long cutoffMillis, EntryVisitor visitor) {
        delegate.forEachDeadBefore(partition, cutoffMillis, visitor);
    }

    @Override
    public void scanAfter(int partition, byte[] after, EntryScanner scanner) {
        delegate.scanAfter(partition, after, scanner);
    }

    @Override
    public void scanFrom(int partition, long fromHash, EntryScanner scanner) {
        delegate.scanFrom(partition, fromHash, scanner);
    }

    @Override
    public CompletableFuture<Void> whenDurable() {
        return delegate.whenDurable();
    }

    @Override
    public long keyCount() {
        return delegate.keyCount();
    }

    @Override
    public long keyCount(int partition) {
        return delegate.keyCount(partition);
    }

    @Override
    public long tombstoneCount() {
        return delegate.tombstoneCount();
    }

    @Override
    public long bytes() {
        return delegate.bytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
