package io.dkv.core.storage;

import io.dkv.core.Entry;

/** Receives the entries of a partition during {@link StorageEngine#forEachEntry}. */
@FunctionalInterface
public interface EntryVisitor {

    void visit(byte[] key, Entry entry);
}
