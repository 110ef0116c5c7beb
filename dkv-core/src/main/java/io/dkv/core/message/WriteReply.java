package io.dkv.core.message;

import io.dkv.core.version.Version;

/**
 * A replica stored (or already had something at least as new as) the entry.
 *
 * @param hadValue   whether the key held a live value before this write (lets DEL count)
 * @param stored     the version the replica holds for the key after the write: the write's
 *                   own, or a newer one it already had; {@code null} for a hint kept by a
 *                   stand-in
 * @param recovering whether the replica may lack data (restarted empty, still comparing its
 *                   partitions): it applied the write, but its ack does not count toward the
 *                   write's consistency level
 */
public record WriteReply(boolean hadValue, Version stored, boolean recovering) implements Message {

    /** What a stand-in answers once it keeps a hint. */
    public static final WriteReply HINT_KEPT = new WriteReply(false, null, false);

    public static WriteReply stored(boolean hadValue, Version stored) {
        return new WriteReply(hadValue, stored, false);
    }
}
