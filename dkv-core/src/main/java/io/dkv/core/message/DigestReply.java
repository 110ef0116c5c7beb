package io.dkv.core.message;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;

/**
 * A replica's answer to a digest read: the version of its entry and whether it is a
 * tombstone, without the value.
 *
 * @param version   the entry's version, or {@code null} when the replica has none
 * @param tombstone whether the entry is a tombstone
 */
public record DigestReply(Version version, boolean tombstone) implements Message {

    public static final DigestReply MISSING = new DigestReply(null, false);

    public static DigestReply of(Entry entry) {
        return entry == null ? MISSING : new DigestReply(entry.version(), entry.isTombstone());
    }
}
