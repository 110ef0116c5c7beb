package io.dkv.core.message;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.version.Version;

import java.util.Objects;

/**
 * A replica's answer to a digest read: the version of its value register and whether it is
 * a tombstone, without the value, its whole expiry register (small, so the coordinator
 * merges expiry registers from every answer without asking for values), and a summary of its
 * hash fields.
 *
 * @param version   the value register's version, or {@code null} when the replica has no entry
 * @param tombstone whether the value register holds no value
 * @param expiry        the expiry register ({@link Expiry#ABSENT} when the replica has no entry)
 * @param fieldsVersion the newest hash field's version, {@link Version#ZERO} without fields
 * @param fieldsDigest  {@code HashFields#digest} of the hash fields, 0 without fields: a coordinator
 *                      whose entries at hand differ in fields asks this replica for them and merges
 */
public record DigestReply(Version version, boolean tombstone, Expiry expiry, Version fieldsVersion, long fieldsDigest)
        implements Message {

    public static final DigestReply MISSING = new DigestReply(null, false, Expiry.ABSENT);

    public DigestReply {
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(fieldsVersion, "fieldsVersion");
    }

    /** The digest of an entry without hash fields. */
    public DigestReply(Version version, boolean tombstone, Expiry expiry) {
        this(version, tombstone, expiry, Version.ZERO, 0);
    }

    /** {@code tombstone} says whether the value register is empty, whatever fields the entry has. */
    public static DigestReply of(Entry entry) {
        return entry == null ? MISSING : new DigestReply(entry.version(), entry.value() == null, entry.expiry(),
                entry.fields().newestVersion(), entry.fields().digest());
    }
}
