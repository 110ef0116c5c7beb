package io.dkv.core;

import io.dkv.core.version.Version;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a replica stores for one key: a value, or a tombstone when the key was deleted,
 * together with the version of the write that produced it.
 *
 * <p>Immutable by contract: the value array is never modified after construction (it is
 * not copied, because values can be a megabyte and pass through many hands).
 *
 * @param value   the value bytes, or {@code null} for a tombstone
 * @param version the version of the write
 */
public record Entry(byte[] value, Version version) {

    /** Per-entry bookkeeping added to {@link #sizeBytes()}: version plus references. */
    public static final int OVERHEAD_BYTES = 32;

    public Entry {
        Objects.requireNonNull(version, "version");
    }

    public static Entry value(byte[] value, Version version) {
        return new Entry(Objects.requireNonNull(value, "value"), version);
    }

    public static Entry tombstone(Version version) {
        return new Entry(null, version);
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** Approximate memory the entry takes, used for limits and metrics. */
    public long sizeBytes() {
        return (value == null ? 0 : value.length) + OVERHEAD_BYTES;
    }

    /**
     * The entry that wins when two replicas disagree: the higher version. Either may be
     * {@code null} (absent). The rule is a maximum over a total order, which makes merging
     * commutative, associative and idempotent, so replicas converge whatever order writes
     * arrive in. Two entries with equal versions come from the same write and are equal;
     * should they ever differ, a tombstone wins, then the larger value, so the rule stays
     * a total order.
     */
    public static Entry newer(Entry a, Entry b) {
        return a == null || (b != null && supersedes(b, a)) ? b : a;
    }

    /** Whether storing {@code candidate} over {@code current} (which may be absent) changes anything. */
    public static boolean supersedes(Entry candidate, Entry current) {
        if (current == null) {
            return true;
        }
        int order = candidate.version.compareTo(current.version);
        return order != 0 ? order > 0 : tieBreak(candidate, current) > 0;
    }

    private static int tieBreak(Entry a, Entry b) {
        if (a.value == null || b.value == null) {
            return a.value == null ? (b.value == null ? 0 : 1) : -1;
        }
        return Arrays.compareUnsigned(a.value, b.value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Entry that && version.equals(that.version) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * version.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (value == null ? "tombstone" : value.length + " bytes") + " @ " + version;
    }
}
