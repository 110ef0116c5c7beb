package io.dkv.core;

import io.dkv.core.hash.HashFields;
import io.dkv.core.hash.KeyType;
import io.dkv.core.hash.ValueRegister;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a replica stores for one key: two last-write-wins registers merged independently.
 * The value register holds a value, or a tombstone when the key was deleted, with the
 * version of the write that produced it; the expiry register ({@link Expiry}) holds when
 * the key expires, or that it does not, with its own version.
 *
 * <p>A plain SET or DEL writes both registers at the write's version (so SET clears an
 * expiry). SET KEEPTTL writes only the value register, EXPIRE and PERSIST only the expiry
 * register; the register a write leaves out carries {@link Version#ZERO} and loses to every
 * real write. An entry whose value register is absent (only an expiry arrived so far)
 * reads as a tombstone.
 *
 * <p>A hash's fields ({@link HashFields}, each with its own version) sit next to the value
 * register and merge as {@link io.dkv.core.hash.ValueRegister} does: field by field, dropping
 * every field not newer than the winning value register, which is the key-level write.
 * What the key holds follows {@link ValueRegister#type()}: with any field left (a tombstone
 * too) it is a hash of its live fields, otherwise the value register decides
 * (docs/ARCHITECTURE.md, "Hashes: fields that merge one by one").
 *
 * <p>Immutable by contract: the value array is never modified after construction (it is
 * not copied, because values can be a megabyte and pass through many hands).
 *
 * @param value   the value bytes, or {@code null} for a tombstone (or an absent value register)
 * @param version the version of the value register
 * @param expiry  the expiry register
 * @param fields  hash fields written after the value register's write (empty for a string or tombstone)
 */
public record Entry(byte[] value, Version version, Expiry expiry, HashFields fields) {

    /** Per-entry bookkeeping added to {@link #sizeBytes()}: both registers' versions, the expiry time, references. */
    public static final int OVERHEAD_BYTES = 56;

    public Entry {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(fields, "fields");
    }

    /** An entry without hash fields. */
    public Entry(byte[] value, Version version, Expiry expiry) {
        this(value, version, expiry, HashFields.EMPTY);
    }

    /** A whole-entry write at {@code version} that leaves the key without expiry. */
    public Entry(byte[] value, Version version) {
        this(value, version, Expiry.never(version));
    }

    public static Entry value(byte[] value, Version version) {
        return new Entry(Objects.requireNonNull(value, "value"), version);
    }

    /** A whole-entry write that sets the value and an expiry at once (SET EX, SETEX). */
    public static Entry expiring(byte[] value, Version version, long expiresAtMillis) {
        return new Entry(Objects.requireNonNull(value, "value"), version, Expiry.at(expiresAtMillis, version));
    }

    /** A write of the value register alone, keeping whatever expiry the key has (SET KEEPTTL). */
    public static Entry keepingExpiry(byte[] value, Version version) {
        return new Entry(Objects.requireNonNull(value, "value"), version, Expiry.ABSENT);
    }

    /** A write of the expiry register alone (EXPIRE, PERSIST). */
    public static Entry expiryOnly(Expiry expiry) {
        return new Entry(null, Version.ZERO, expiry);
    }

    public static Entry tombstone(Version version) {
        return new Entry(null, version);
    }

    /** A write of hash fields alone (HSET, HDEL): no key-level write, the key's expiry untouched. */
    public static Entry fieldsOnly(HashFields fields) {
        return new Entry(null, Version.ZERO, Expiry.ABSENT, fields);
    }

    /**
     * What the key holds, expiry aside: a hash when any field is left (none live: nothing,
     * as Redis removes an emptied hash), else a string or nothing by the value register.
     */
    public KeyType type() {
        return ValueRegister.typeOf(value, fields);
    }

    /** What a client reading at {@code nowMillis} sees the key hold: {@link KeyType#NONE} when deleted or expired. */
    public KeyType typeAt(long nowMillis) {
        return expiry.expiredAt(nowMillis) ? KeyType.NONE : type();
    }

    /**
     * Whether the key holds nothing, expiry aside: a delete, no value arrived yet, or a hash
     * whose fields are all deleted. A string value the fields of a later hash hide is not
     * a value: the key is that hash.
     */
    public boolean isTombstone() {
        return type() == KeyType.NONE;
    }

    /** Whether a client reading at {@code nowMillis} sees a value (a string or a hash): not deleted and not expired. */
    public boolean liveAt(long nowMillis) {
        return !isTombstone() && !expiry.expiredAt(nowMillis);
    }

    /** The string value a client reading at {@code nowMillis} sees, or {@code null} (absent, expired, or a hash). */
    public byte[] stringAt(long nowMillis) {
        return typeAt(nowMillis) == KeyType.STRING ? value : null;
    }

    /** The versions of both registers and a summary of the fields. */
    public EntryVersion versions() {
        return fields.isEmpty() ? new EntryVersion(version, expiry.version())
                : new EntryVersion(version, expiry.version(), fields.newestVersion(), fields.digest());
    }

    /** The newest version among the registers and fields: what the write that made this entry is ordered by. */
    public Version writeVersion() {
        Version newest = version.compareTo(expiry.version()) >= 0 ? version : expiry.version();
        Version newestField = fields.newestVersion();
        return newestField.compareTo(newest) > 0 ? newestField : newest;
    }

    /**
     * Wall-clock milliseconds after which this entry hides nothing that could still come
     * back and may be purged once every replica holds it (tombstones and expired entries),
     * or {@link Long#MAX_VALUE} for a live entry that never expires. For an expired entry it
     * is the latest of its expiry time and both registers' stamps, so that every write it
     * hides, including one still kept as a hint, is older than the grace period when it goes.
     */
    public long deadSinceMillis() {
        Version newestValue = version.compareTo(fields.newestVersion()) >= 0 ? version : fields.newestVersion();
        if (isTombstone() && newestValue.compareTo(Version.ZERO) > 0) {
            return Math.max(newestValue.physicalMillis(), expiry.version().physicalMillis());
        }
        if (!expiry.isSet()) {
            return Long.MAX_VALUE;
        }
        return Math.max(expiry.atMillis(), Math.max(newestValue.physicalMillis(), expiry.version().physicalMillis()));
    }

    /** Approximate memory the entry takes, used for limits and metrics. */
    public long sizeBytes() {
        return (value == null ? 0 : value.length) + OVERHEAD_BYTES + fields.sizeBytes();
    }

    /**
     * What two replicas' entries merge to: each register is the one with the higher version.
     * Either may be {@code null} (absent). Each register's rule is a maximum over a total
     * order, so the merge is commutative, associative and idempotent, and replicas converge
     * whatever order writes arrive in. Two value registers with equal versions come from the
     * same write and are equal; should they ever differ, a tombstone wins, then the larger
     * value, so the rule stays a total order. Returns {@code a} or {@code b} itself when one
     * of them already holds both winning registers.
     */
    public static Entry merge(Entry a, Entry b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        boolean valueFromA = valueWins(a, b);
        Expiry expiry = Expiry.newer(a.expiry, b.expiry);
        HashFields fields = a.fields.isEmpty() && b.fields.isEmpty() ? HashFields.EMPTY
                : HashFields.merge(a.fields, b.fields, (valueFromA ? a : b).version);
        if (valueFromA && expiry == a.expiry && fields.equals(a.fields)) {
            return a;
        }
        if (!valueFromA && expiry == b.expiry && fields.equals(b.fields)) {
            return b;
        }
        Entry valueSide = valueFromA ? a : b;
        return new Entry(valueSide.value, valueSide.version, expiry, fields);
    }

    /** Whether merging {@code candidate} into {@code current} (which may be absent) changes anything. */
    public static boolean supersedes(Entry candidate, Entry current) {
        return current == null || !merge(current, candidate).equals(current);
    }

    /** Whether a's value register wins over b's (ties in favour of a when they are equal). */
    private static boolean valueWins(Entry a, Entry b) {
        int order = a.version.compareTo(b.version);
        return order != 0 ? order > 0 : tieBreak(a, b) >= 0;
    }

    private static int tieBreak(Entry a, Entry b) {
        if (a.value == null || b.value == null) {
            return a.value == null ? (b.value == null ? 0 : 1) : -1;
        }
        return Arrays.compareUnsigned(a.value, b.value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Entry that && version.equals(that.version) && expiry.equals(that.expiry)
                && Arrays.equals(value, that.value) && fields.equals(that.fields);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * version.hashCode() + expiry.hashCode()) + Arrays.hashCode(value)) + fields.hashCode();
    }

    @Override
    public String toString() {
        String registers = (value == null ? "tombstone" : value.length + " bytes") + " @ " + version
                + (fields.isEmpty() ? "" : ", fields " + fields);
        return expiry.equals(Expiry.never(version)) ? registers : registers + ", " + expiry;
    }
}
