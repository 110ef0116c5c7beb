package io.dkv.core.version;

import java.util.Objects;

/**
 * The versions of an entry's two registers, the value (or tombstone) and the expiry, and a
 * summary of its hash fields: what replicas compare to tell whether one holds everything
 * another holds (anti-entropy, tombstone collection, removals that must not remove a newer
 * write).
 *
 * <p>The fields are summarised, not listed: the newest field version and a 64-bit hash of
 * every field's name, version and tombstone flag ({@code io.dkv.core.hash.HashFields#digest}).
 * Two summaries tell whether the fields are the same, not which side has more, so
 * {@link #covers} answers no when they differ and the entry itself is exchanged and merged
 * field by field (docs/ARCHITECTURE.md, "Hashes: fields that merge one by one").
 *
 * @param value        the version of the value register
 * @param expiry       the version of the expiry register
 * @param fields       the newest hash field version, {@link Version#ZERO} without fields
 * @param fieldsDigest the hash of the fields, 0 without fields
 */
public record EntryVersion(Version value, Version expiry, Version fields, long fieldsDigest) {

    public EntryVersion {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(fields, "fields");
    }

    /** The versions of an entry without hash fields. */
    public EntryVersion(Version value, Version expiry) {
        this(value, expiry, Version.ZERO, 0);
    }

    /** The versions of a whole-entry write (a plain SET or DEL): both registers at {@code version}. */
    public static EntryVersion of(Version version) {
        return new EntryVersion(version, version);
    }

    public boolean hasFields() {
        return fieldsDigest != 0;
    }

    /**
     * Whether this holds {@code other}'s registers or newer ones, register by register, and
     * its fields: the same fields, or {@code other} has none. Fields that differ are never
     * judged covered, since the summary cannot tell a superset from a different set.
     */
    public boolean covers(EntryVersion other) {
        return value.compareTo(other.value) >= 0 && expiry.compareTo(other.expiry) >= 0
                && (!other.hasFields() || other.fieldsDigest == fieldsDigest);
    }

    /** The newest of the versions: what a write of these registers is ordered by. */
    public Version newest() {
        Version newest = value.compareTo(expiry) >= 0 ? value : expiry;
        return fields.compareTo(newest) > 0 ? fields : newest;
    }

    @Override
    public String toString() {
        String registers = value.equals(expiry) ? value.toString() : value + "/expiry " + expiry;
        return hasFields() ? registers + "/fields " + fields + "#" + Long.toHexString(fieldsDigest) : registers;
    }
}
