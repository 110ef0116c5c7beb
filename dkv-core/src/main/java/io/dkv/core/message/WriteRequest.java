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
 * @param epoch     the ring epoch the coordinator routed by, so that a replica whose ring
 *                  has moved on refuses instead of voting ({@link NotMine}); 0 for writes
 *                  that are not votes (repairs, hint replays), which any holder may take
 */
public record WriteRequest(int partition, byte[] key, Entry entry, NodeId hintFor, long epoch) implements Message {

    public WriteRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(entry, "entry");
    }

    public WriteRequest(int partition, byte[] key, Entry entry) {
        this(partition, key, entry, null, NO_EPOCH);
    }

    public WriteRequest(int partition, byte[] key, Entry entry, NodeId hintFor) {
        this(partition, key, entry, hintFor, NO_EPOCH);
    }

    /** The epoch of a request that is not a vote and is taken whatever ring the receiver routes by. */
    public static final long NO_EPOCH = 0;
}
