package io.dkv.cluster.handoff;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;

/**
 * A write kept for a replica that did not receive it.
 *
 * @param target         the replica it belongs to
 * @param partition      the key's partition
 * @param key            the key
 * @param entry          the newest entry known for the key that the target has not acknowledged
 * @param storedAtMillis wall-clock time it was first kept (for the hint window)
 */
public record Hint(NodeId target, int partition, byte[] key, Entry entry, long storedAtMillis) {

    public long sizeBytes() {
        return key.length + entry.sizeBytes() + 48;
    }
}
