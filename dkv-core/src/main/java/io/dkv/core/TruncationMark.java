package io.dkv.core;

import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;

/**
 * What FLUSHALL leaves behind: a hybrid-logical-clock stamp at and below which every entry
 * of the store is gone. A mark is a max-register: of two marks the higher one holds, so
 * marks merge in any order, as entries do.
 *
 * <p>The one rule that decides whether a mark hides an entry is {@link #hides(Entry)}; every
 * path that could bring an entry back (replica writes, read replies, repair, hints,
 * anti-entropy, streaming) asks it.
 *
 * @param stamp the flush's stamp; {@code 0} for "never flushed"
 */
public record TruncationMark(long stamp) implements Comparable<TruncationMark> {

    public static final TruncationMark NONE = new TruncationMark(0);

    public TruncationMark {
        if (stamp < 0) {
            throw new IllegalArgumentException("a truncation mark must not be negative: " + stamp);
        }
    }

    public static TruncationMark of(long stamp) {
        return stamp == 0 ? NONE : new TruncationMark(stamp);
    }

    /**
     * Whether the entry's value was written at or before the flush, and so no longer exists.
     * The value register decides: an expiry without its value reads as absent anyway, so an
     * entry whose value is hidden is hidden whole, and an entry that holds only an expiry
     * register (an EXPIRE or PERSIST whose value has not arrived, {@link Version#ZERO}) is
     * never hidden by the value it lacks: it may belong to a value written after the flush.
     */
    public boolean hides(Entry entry) {
        return entry != null && hides(entry.fields().isEmpty() ? entry.version() : entry.fields().newestVersion());
    }

    /**
     * The entry as the flush leaves it: {@code null} when it hides it whole; a hash holding
     * fields from both sides of the flush loses the older ones, by merging in a key-level
     * tombstone at the flush's stamp (a DEL at the flush, above every write stamped at it,
     * which hides exactly the fields the flush removed and leaves the expiry register alone).
     */
    public Entry strip(Entry entry) {
        if (entry == null || stamp == 0 || entry.fields().isEmpty()) {
            return hides(entry) ? null : entry;
        }
        if (hides(entry)) {
            return null;
        }
        for (var field : entry.fields().all().values()) {
            if (hides(field.version())) {
                return Entry.merge(entry, new Entry(null, new Version(stamp, Integer.MAX_VALUE), Expiry.ABSENT));
            }
        }
        return entry;
    }

    /**
     * Whether a write of {@code version} was stamped at or before the flush. {@link Version#ZERO}
     * (a register no write has set) is never hidden, so the mark of a cluster never flushed
     * hides nothing.
     */
    public boolean hides(Version version) {
        return version != null && version.stamp() > 0 && version.stamp() <= stamp;
    }

    public boolean isNone() {
        return stamp == 0;
    }

    /** The higher of two marks. */
    public TruncationMark max(TruncationMark other) {
        return other.stamp > stamp ? other : this;
    }

    @Override
    public int compareTo(TruncationMark other) {
        return Long.compare(stamp, other.stamp);
    }

    @Override
    public String toString() {
        return isNone() ? "none" : HybridLogicalClock.physicalMillis(stamp) + "." + HybridLogicalClock.logical(stamp);
    }
}
