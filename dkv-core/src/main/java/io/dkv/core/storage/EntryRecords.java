package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.version.Version;

import java.util.Arrays;

/**
 * How {@link PartitionTable} holds a key and its entry: as one byte array when the entry has
 * no hash fields (every string and tombstone), as a {@link Boxed} pair otherwise.
 *
 * <p>The array, in order:
 * <pre>
 *   flags        1 byte: bit 0 set when the value register holds a value (clear: a tombstone
 *                or no value register), bits 1-2 the form of the expiry register
 *   key length   unsigned varint
 *   key          the key's bytes
 *   stamp        8 bytes, the value register's version stamp
 *   node         unsigned varint, the value register's version node
 *   expiry       form 0 (NEVER_AT_VERSION): nothing, "no expiry" written with the value
 *                (a plain SET or DEL); form 1 (AT_VERSION): 8 bytes of expiry time written with
 *                the value (SET EX); form 2 (OWN_VERSION): 8 bytes of time, 8 of stamp and a
 *                varint node (EXPIRE, PERSIST or SET KEEPTTL made the registers differ)
 *   value        the rest of the array
 * </pre>
 * A 16-byte key with a 100-byte value and no expiry takes 127 bytes plus the array's 16-byte
 * header (144 on the heap, which aligns objects to 8 bytes), against about 300 for the objects it replaces (map node, key wrapper, key array,
 * entry, value array, version, expiry). Decoding allocates the entry, its version and expiry
 * and a copy of the value: reads pay a copy of the value for the memory it saves.
 *
 * <p>Stateless; records are never modified once made, which is what lets readers use them
 * without a lock.
 */
final class EntryRecords {

    private static final int HAS_VALUE = 1;
    private static final int NEVER_AT_VERSION = 0;
    private static final int AT_VERSION = 1;
    private static final int OWN_VERSION = 2;

    /** A key and an entry the byte layout does not cover (one with hash fields), kept as they are. */
    record Boxed(byte[] key, Entry entry) {
    }

    private EntryRecords() {
    }

    /** The record for {@code key} holding {@code entry}: a {@code byte[]} or a {@link Boxed}. */
    static Object encode(byte[] key, Entry entry) {
        if (!entry.fields().isEmpty()) {
            return new Boxed(key, entry);
        }
        Version version = entry.version();
        Expiry expiry = entry.expiry();
        int form = !expiry.version().equals(version) ? OWN_VERSION : expiry.isSet() ? AT_VERSION : NEVER_AT_VERSION;
        int expiryBytes = switch (form) {
            case NEVER_AT_VERSION -> 0;
            case AT_VERSION -> Long.BYTES;
            default -> 2 * Long.BYTES + varintSize(expiry.version().node());
        };
        byte[] value = entry.value();
        int valueBytes = value == null ? 0 : value.length;
        int size = 1 + varintSize(key.length) + key.length + Long.BYTES + varintSize(version.node()) + expiryBytes + valueBytes;
        byte[] record = new byte[size];
        record[0] = (byte) ((value == null ? 0 : HAS_VALUE) | form << 1);
        int at = putVarint(record, 1, key.length);
        System.arraycopy(key, 0, record, at, key.length);
        at = putLong(record, at + key.length, version.stamp());
        at = putVarint(record, at, version.node());
        if (form != NEVER_AT_VERSION) {
            at = putLong(record, at, expiry.atMillis());
        }
        if (form == OWN_VERSION) {
            at = putLong(record, at, expiry.version().stamp());
            at = putVarint(record, at, expiry.version().node());
        }
        if (value != null) {
            System.arraycopy(value, 0, record, at, valueBytes);
        }
        return record;
    }

    /** The entry a record holds. */
    static Entry decode(Object record) {
        if (record instanceof Boxed boxed) {
            return boxed.entry;
        }
        byte[] bytes = (byte[]) record;
        int keyLength = getVarint(bytes, 1);
        int at = 1 + varintSize(keyLength) + keyLength;
        long stamp = getLong(bytes, at);
        at += Long.BYTES;
        int node = getVarint(bytes, at);
        at += varintSize(node);
        Version version = new Version(stamp, node);
        int form = (bytes[0] >> 1) & 3;
        Expiry expiry;
        if (form == NEVER_AT_VERSION) {
            expiry = Expiry.never(version);
        } else {
            long atMillis = getLong(bytes, at);
            at += Long.BYTES;
            if (form == AT_VERSION) {
                expiry = new Expiry(atMillis, version);
            } else {
                long expiryStamp = getLong(bytes, at);
                at += Long.BYTES;
                int expiryNode = getVarint(bytes, at);
                at += varintSize(expiryNode);
                expiry = new Expiry(atMillis, new Version(expiryStamp, expiryNode));
            }
        }
        byte[] value = (bytes[0] & HAS_VALUE) == 0 ? null : Arrays.copyOfRange(bytes, at, bytes.length);
        return new Entry(value, version, expiry);
    }

    /**
     * Whether the record holds a value and no expiry (written with the value): an entry that
     * lives until it is deleted ({@link Entry#deadSinceMillis()} is {@link Long#MAX_VALUE}).
     */
    static boolean livesUntilDeleted(Object record) {
        return record instanceof byte[] bytes && bytes[0] == (HAS_VALUE | NEVER_AT_VERSION << 1);
    }

    /** The record's key: a copy for a byte record. */
    static byte[] key(Object record) {
        if (record instanceof Boxed boxed) {
            return boxed.key;
        }
        byte[] bytes = (byte[]) record;
        int keyLength = getVarint(bytes, 1);
        int from = 1 + varintSize(keyLength);
        return Arrays.copyOfRange(bytes, from, from + keyLength);
    }

    /** Whether the record is {@code key}'s. */
    static boolean hasKey(Object record, byte[] key) {
        if (record instanceof Boxed boxed) {
            return Arrays.equals(boxed.key, key);
        }
        byte[] bytes = (byte[]) record;
        int keyLength = getVarint(bytes, 1);
        int from = 1 + varintSize(keyLength);
        return keyLength == key.length && Arrays.equals(bytes, from, from + keyLength, key, 0, key.length);
    }

    /** The hash a table places a key by: mixed, because byte-array hashes of similar keys are close. */
    static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ h >>> 16;
    }

    static int varintSize(int value) {
        int size = 1;
        while ((value >>>= 7) != 0) {
            size++;
        }
        return size;
    }

    private static int putVarint(byte[] into, int at, int value) {
        while ((value & ~0x7f) != 0) {
            into[at++] = (byte) (value & 0x7f | 0x80);
            value >>>= 7;
        }
        into[at++] = (byte) value;
        return at;
    }

    private static int getVarint(byte[] from, int at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = from[at++];
            value |= (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }

    private static int putLong(byte[] into, int at, long value) {
        for (int i = 7; i >= 0; i--) {
            into[at + i] = (byte) value;
            value >>>= 8;
        }
        return at + Long.BYTES;
    }

    private static long getLong(byte[] from, int at) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = value << 8 | (from[at + i] & 0xff);
        }
        return value;
    }
}
