package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.storage.EntryVisitor;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;

import java.util.concurrent.CompletableFuture;

/**
 * A storage engine that keeps the node's {@link MerkleTrees} in step with every change, so
 * anti-entropy never has to scan to compare. Everything else passes straight through.
 */
public final class MerkleTrackingStorage implements StorageEngine {

    private final StorageEngine delegate;
    private final MerkleTrees trees;

    public MerkleTrackingStorage(StorageEngine delegate, MerkleTrees trees) {
        this.delegate = delegate;
        this.trees = trees;
    }

    public MerkleTrees trees() {
        return trees;
    }

    @Override
    public Entry get(int partition, byte[] key) {
        return delegate.get(partition, key);
    }

    @Override
    public MergeResult merge(int partition, byte[] key, Entry entry) {
        MergeResult result = delegate.merge(partition, key, entry);
        if (result.applied()) {
            trees.changed(partition, key, result.previous(), entry);
        }
        return result;
    }

    @Override
    public boolean removeIfVersion(int partition, byte[] key, Version version) {
        boolean removed = delegate.removeIfVersion(partition, key, version);
        if (removed) {
            trees.changed(partition, key, version, null);
        }
        return removed;
    }

    @Override
    public void forEachEntry(int partition, EntryVisitor visitor) {
        delegate.forEachEntry(partition, visitor);
    }

    @Override
    public long keyCount() {
        return delegate.keyCount();
    }

    @Override
    public long tombstoneCount() {
        return delegate.tombstoneCount();
    }

    @Override
    public CompletableFuture<Void> whenDurable() {
        return delegate.whenDurable();
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
