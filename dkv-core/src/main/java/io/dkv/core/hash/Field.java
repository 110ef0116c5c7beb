package io.dkv.core.hash;

import io.dkv.core.version.Version;

import java.util.Arrays;
import java.util.Objects;

/**
 * One field of a hash: a value, or a tombstone left by HDEL, with the version of the write
 * that produced it. Fields merge one by one by last write wins, so concurrent HSETs of
 * different fields through different coordinators both survive.
 *
 * <p>Immutable by contract: the value array is never modified after construction.
 *
 * @param value   the field's value, or {@code null} for a tombstone (HDEL)
 * @param version the version of the write (HSET or HDEL) that produced it
 */
public record Field(byte[] value, Version version) {

    /** Per-field bookkeeping added to a hash's size: the version, the map node, references. */
    public static final int OVERHEAD_BYTES = 48;

    public Field {
        Objects.requireNonNull(version, "version");
    }

    public static Field tombstone(Version version) {
        return new Field(null, version);
    }

    public boolean isTombstone() {
        return value == null;
    }

    /**
     * The field that wins: the higher version; at equal versions (the same write, so equal in
     * practice) a tombstone, then the larger value, so the rule is a total order and the
     * merge stays commutative, associative and idempotent (the same tie-break as the value
     * register of {@link io.dkv.core.Entry}).
     */
    public static Field newer(Field a, Field b) {
        int order = a.version.compareTo(b.version);
        if (order != 0) {
            return order > 0 ? a : b;
        }
        if (a.value == null || b.value == null) {
            return a.value == null ? a : b;
        }
        return Arrays.compareUnsigned(a.value, b.value) >= 0 ? a : b;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Field that && version.equals(that.version) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * version.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (value == null ? "deleted" : value.length + " bytes") + " @ " + version;
    }
}
