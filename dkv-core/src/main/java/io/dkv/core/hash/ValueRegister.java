package io.dkv.core.hash;

import io.dkv.core.version.Version;

import java.util.Arrays;
import java.util.Objects;

/**
 * The value side of an entry once hashes exist: the key-level register (a string value, or a
 * tombstone left by DEL, with the version of that whole-key write) and the hash fields
 * written after it, each with its own version.
 *
 * <p>A whole-key write (SET, DEL, and so a type change to a string) is a key-level register
 * at its version with no fields; it hides every field not newer than it. An HSET or HDEL is
 * a register with the key level absent ({@code null} at {@link Version#ZERO}) and the written
 * fields; it hides nothing.
 *
 * <p>Merge: the key level is the one with the higher version (ties: tombstone, then larger
 * value), each field is the newer of the two, and fields not newer than the winning key
 * level are dropped. What the key holds is decided by the newest write: any field left
 * (a tombstone too) was written after the key level, so the key is a hash whose contents are
 * its live fields (none live: the key reads as absent, as Redis removes an emptied hash);
 * with no fields the key level decides (a string, or absent). So a SET racing an HSET on the
 * same key resolves the same way on every replica: the newer write wins, and a hash that
 * wins over a string holds only the fields written after that string.
 *
 * @param value   the key-level value (a string), or {@code null} for a tombstone or no key-level write
 * @param version the version of the key-level write, {@link Version#ZERO} when there was none
 * @param fields  the hash fields written after the key-level write
 */
public record ValueRegister(byte[] value, Version version, HashFields fields) {

    public ValueRegister {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(fields, "fields");
    }

    /** SET: a string at {@code version}, hiding every older field. */
    public static ValueRegister string(byte[] value, Version version) {
        return new ValueRegister(Objects.requireNonNull(value, "value"), version, HashFields.EMPTY);
    }

    /** DEL: a key-level tombstone, hiding every older field. */
    public static ValueRegister deleted(Version version) {
        return new ValueRegister(null, version, HashFields.EMPTY);
    }

    /** HSET or HDEL: fields written at their own versions, no key-level write. */
    public static ValueRegister fieldsOnly(HashFields fields) {
        return new ValueRegister(null, Version.ZERO, fields);
    }

    public KeyType type() {
        return typeOf(value, fields);
    }

    /** What a register of this key-level value and these fields holds, without making one (asked on every write). */
    public static KeyType typeOf(byte[] value, HashFields fields) {
        if (!fields.isEmpty()) {
            return fields.liveCount() > 0 ? KeyType.HASH : KeyType.NONE;
        }
        return value == null ? KeyType.NONE : KeyType.STRING;
    }

    /** The newest write this register holds: the key level or a field, whichever is later. */
    public Version newestVersion() {
        Version newestField = fields.newestVersion();
        return newestField.compareTo(version) > 0 ? newestField : version;
    }

    /**
     * This register without the field tombstones older than {@code horizon}, for the
     * collector, which calls it only once every replica holds this register and the horizon
     * is the grace period back (the argument of the tombstone collector: every write such a
     * tombstone hides, hints included, is older than the grace period and gone everywhere).
     * When only tombstones were left, dropping them would let the key level show again (a
     * string an HSET had overwritten would come back), so the register folds into a key-level
     * tombstone at the newest dropped version instead: it hides exactly what they hid, since
     * every field is newer than the key level, and the ordinary tombstone collector purges it.
     */
    public ValueRegister withoutFieldTombstonesBefore(Version horizon) {
        Version newestDropped = null;
        HashFields keptFields = HashFields.EMPTY;
        for (var e : fields.all().entrySet()) {
            Field field = e.getValue();
            if (field.isTombstone() && field.version().compareTo(horizon) < 0) {
                newestDropped = newestDropped == null || field.version().compareTo(newestDropped) > 0
                        ? field.version() : newestDropped;
            } else {
                keptFields = HashFields.merge(keptFields, HashFields.of(e.getKey(), field), Version.ZERO);
            }
        }
        if (newestDropped == null) {
            return this;
        }
        if (keptFields.isEmpty()) {
            return deleted(newestDropped);
        }
        return new ValueRegister(value, version, keptFields);
    }

    public static ValueRegister merge(ValueRegister a, ValueRegister b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        ValueRegister keyLevel = keyLevelWins(a, b) ? a : b;
        HashFields fields = HashFields.merge(a.fields, b.fields, keyLevel.version);
        if (fields.equals(keyLevel.fields)) {
            return keyLevel;
        }
        return new ValueRegister(keyLevel.value, keyLevel.version, fields);
    }

    private static boolean keyLevelWins(ValueRegister a, ValueRegister b) {
        int order = a.version.compareTo(b.version);
        if (order != 0) {
            return order > 0;
        }
        if (a.value == null || b.value == null) {
            return a.value == null;
        }
        return Arrays.compareUnsigned(a.value, b.value) >= 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ValueRegister that && version.equals(that.version)
                && Arrays.equals(value, that.value) && fields.equals(that.fields);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * version.hashCode() + Arrays.hashCode(value)) + fields.hashCode();
    }

    @Override
    public String toString() {
        String keyLevel = (value == null ? "no value" : value.length + " bytes") + " @ " + version;
        return fields.isEmpty() ? keyLevel : keyLevel + ", fields " + fields;
    }
}
