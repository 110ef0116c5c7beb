package io.dkv.core.message;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;

import java.util.Objects;

/**
 * Store an entry (a value or a tombstone) on the receiving replica.
 *
 * @param partition the key's ring partition
 * @param key       the key
 * @param entry     what to merge into the replica's store
 * @param hintFor   when not {@code null}, the receiver is standing in for this replica,
 *                  which is down: it keeps the entry as a hint and hands it over later
 */
public record WriteRequest(int partition, byte[] key, Entry entry, NodeId hintFor) implements Message {

    public WriteRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(entry, "entry");
    }

    public WriteRequest(int partition, byte[] key, Entry entry) {
        this(partition, key, entry, null);
    }
}
