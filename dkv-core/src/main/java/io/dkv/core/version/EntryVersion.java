package io.dkv.core.version;

import java.util.Objects;

/**
 * The versions of an entry's two registers: the value (or tombstone) and the expiry. What
 * replicas compare to tell whether one holds everything another holds (anti-entropy,
 * tombstone collection, removals that must not remove a newer write).
 *
 * @param value  the version of the value register
 * @param expiry the version of the expiry register
 */
public record EntryVersion(Version value, Version expiry) {

    public EntryVersion {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiry, "expiry");
    }

    /** The versions of a whole-entry write (a plain SET or DEL): both registers at {@code version}. */
    public static EntryVersion of(Version version) {
        return new EntryVersion(version, version);
    }

    /** Whether this holds {@code other}'s registers or newer ones, register by register. */
    public boolean covers(EntryVersion other) {
        return value.compareTo(other.value) >= 0 && expiry.compareTo(other.expiry) >= 0;
    }

    /** The newest of the two versions: what a write of these registers is ordered by. */
    public Version newest() {
        return value.compareTo(expiry) >= 0 ? value : expiry;
    }

    @Override
    public String toString() {
        return value.equals(expiry) ? value.toString() : value + "/expiry " + expiry;
    }
}
