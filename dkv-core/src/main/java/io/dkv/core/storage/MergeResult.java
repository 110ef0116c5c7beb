package io.dkv.core.storage;

import io.dkv.core.Entry;

/**
 * What a {@link StorageEngine#merge} did.
 *
 * @param applied  whether the offered entry replaced what was stored
 * @param previous the entry stored before the merge, or {@code null} when there was none
 */
public record MergeResult(boolean applied, Entry previous) {

    /** Whether the key held a live value (not a tombstone) before the merge. */
    public boolean hadValue() {
        return previous != null && !previous.isTombstone();
    }
}
