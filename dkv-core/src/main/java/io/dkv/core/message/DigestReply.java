package io.dkv.core.message;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.version.Version;

import java.util.Objects;

/**
 * A replica's answer to a digest read: the version of its value register and whether it is
 * a tombstone, without the value, and its whole expiry register (small, so the coordinator
 * merges expiry registers from every answer without asking for values).
 *
 * @param version   the value register's version, or {@code null} when the replica has no entry
 * @param tombstone whether the value register holds no value
 * @param expiry    the expiry register ({@link Expiry#ABSENT} when the replica has no entry)
 */
public record DigestReply(Version version, boolean tombstone, Expiry expiry) implements Message {

    public static final DigestReply MISSING = new DigestReply(null, false, Expiry.ABSENT);

    public DigestReply {
        Objects.requireNonNull(expiry, "expiry");
    }

    /** The digest of an entry without hash fields (a replica holding fields sends the entry instead). */
    public static DigestReply of(Entry entry) {
        return entry == null ? MISSING : new DigestReply(entry.version(), entry.value() == null, entry.expiry());
    }
}
