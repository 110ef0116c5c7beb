package io.dkv.core.storage;

import io.dkv.core.Entry;

/** Receives a partition's entries in stream order during {@link StorageEngine#scanAfter}; returns false to stop. */
@FunctionalInterface
public interface EntryScanner {

    boolean visit(byte[] key, Entry entry);
}
