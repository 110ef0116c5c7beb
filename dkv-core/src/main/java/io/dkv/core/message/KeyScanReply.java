package io.dkv.core.message;

import io.dkv.core.Entry;

/**
 * The answer to a {@link KeyScanRequest}: the partition's next keys in hash order, values
 * and tombstones alike, each with its entry stripped of the value (a tombstone must be seen
 * so that it hides an older value another replica still holds).
 *
 * @param resumeHash the ring hash of the first key not returned; meaningful only when not {@code last}.
 *                   The reply never splits keys that share one hash, so every key with a
 *                   smaller hash has been returned.
 * @param last       true when the partition holds nothing after these keys
 */
public record KeyScanReply(byte[][] keys, Entry[] entries, long resumeHash, boolean last) implements Message {

    public KeyScanReply {
        if (keys.length != entries.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + entries.length + " entries");
        }
    }
}
