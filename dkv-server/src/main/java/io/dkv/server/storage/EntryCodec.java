package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.version.Version;

import java.util.Arrays;

/**
 * How an {@link Entry} is laid out in an on-disk value. Two formats; the writer picks the
 * smaller one that holds the entry, and readers read both:
 *
 * <pre>
 *   format 1: an entry whose expiry register is "no expiry" at the value's own version
 *             (a plain SET or DEL: what every entry was before expiry existed)
 *   byte 0       format (1)
 *   byte 1       flags: bit 0 tombstone, bit 1 an expiry follows (never written)
 *   bytes 2-9    version stamp (big-endian)
 *   bytes 10-13  version node number
 *   [8 bytes     expiry, epoch milliseconds, when flag bit 1 is set]
 *   rest         the value (empty for a tombstone)
 *
 *   format 2: any entry, with its expiry register
 *   byte 0       format (2)
 *   byte 1       flags: bit 0 tombstone (or no value register)
 *   bytes 2-13   value register version (stamp, node)
 *   bytes 14-21  expiry, epoch milliseconds (0: none)
 *   bytes 22-33  expiry register version (stamp, node)
 *   rest         the value
 *
 *   format 3: an entry with hash fields
 *   bytes 0-33   as format 2, format byte 3
 *   4 bytes      value length (0 for a tombstone or no value register)
 *   ...          the value
 *   4 bytes      field count (at least 1)
 *   per field:   4 bytes name length, the name, 12 bytes version (stamp, node),
 *                1 byte (1 value, 0 tombstone), [4 bytes value length, the value]
 * </pre>
 *
 * The format byte lets the layout change (a reader refuses a format it does not know
 * instead of misreading it). Keeping format 1 for entries without a TTL keeps their
 * size and lets data directories written before expiry existed open unchanged.
 */
final class EntryCodec {

    static final byte FORMAT = 1;
    static final byte FORMAT_WITH_EXPIRY = 2;
    static final byte FORMAT_WITH_FIELDS = 3;
    static final int TOMBSTONE = 1;
    static final int HAS_EXPIRY = 1 << 1;
    static final int HEADER_BYTES = 14;
    static final int HEADER_WITH_EXPIRY_BYTES = 34;

    private EntryCodec() {
    }

    static byte[] encode(Entry entry) {
        if (!entry.fields().isEmpty()) {
            return encodeWithFields(entry);
        }
        byte[] value = entry.value();
        boolean plain = entry.expiry().equals(Expiry.never(entry.version()));
        int header = plain ? HEADER_BYTES : HEADER_WITH_EXPIRY_BYTES;
        byte[] out = new byte[header + (value == null ? 0 : value.length)];
        out[0] = plain ? FORMAT : FORMAT_WITH_EXPIRY;
        out[1] = (byte) (entry.isTombstone() ? TOMBSTONE : 0);
        KeyLayout.putLong(out, 2, entry.version().stamp());
        KeyLayout.putInt(out, 10, entry.version().node());
        if (!plain) {
            KeyLayout.putLong(out, 14, entry.expiry().atMillis());
            KeyLayout.putLong(out, 22, entry.expiry().version().stamp());
            KeyLayout.putInt(out, 30, entry.expiry().version().node());
        }
        if (value != null) {
            System.arraycopy(value, 0, out, header, value.length);
        }
        return out;
    }

    private static byte[] encodeWithFields(Entry entry) {
        byte[] value = entry.value();
        int size = HEADER_WITH_EXPIRY_BYTES + 4 + (value == null ? 0 : value.length) + 4;
        for (var field : entry.fields().all().entrySet()) {
            byte[] fieldValue = field.getValue().value();
            size += 4 + field.getKey().length + 12 + 1 + (fieldValue == null ? 0 : 4 + fieldValue.length);
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.put(FORMAT_WITH_FIELDS).put((byte) (value == null ? TOMBSTONE : 0))
                .putLong(entry.version().stamp()).putInt(entry.version().node())
                .putLong(entry.expiry().atMillis())
                .putLong(entry.expiry().version().stamp()).putInt(entry.expiry().version().node());
        out.putInt(value == null ? 0 : value.length);
        if (value != null) {
            out.put(value);
        }
        out.putInt(entry.fields().all().size());
        entry.fields().all().forEach((name, field) -> {
            out.putInt(name.length).put(name).putLong(field.version().stamp()).putInt(field.version().node());
            out.put((byte) (field.isTombstone() ? 0 : 1));
            if (!field.isTombstone()) {
                out.putInt(field.value().length).put(field.value());
            }
        });
        return out.array();
    }

    private static Entry decodeWithFields(byte[] bytes, int offset) {
        try {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, offset, bytes.length - offset);
            in.get();
            int flags = in.get();
            Version version = new Version(in.getLong(), in.getInt());
            Expiry expiry = new Expiry(in.getLong(), new Version(in.getLong(), in.getInt()));
            byte[] value = lengthPrefixed(in);
            HashFields.Builder fields = HashFields.builder();
            int count = in.getInt();
            if (count <= 0) {
                throw new StorageException("corrupt entry: hash field count " + count);
            }
            for (int i = 0; i < count; i++) {
                byte[] name = lengthPrefixed(in);
                Version fieldVersion = new Version(in.getLong(), in.getInt());
                byte[] fieldValue = in.get() == 0 ? null : lengthPrefixed(in);
                fields.put(name, new Field(fieldValue, fieldVersion));
            }
            return new Entry((flags & TOMBSTONE) != 0 ? null : value, version, expiry, fields.build());
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new StorageException("corrupt entry with hash fields: " + e);
        }
    }

    private static byte[] lengthPrefixed(java.nio.ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new StorageException("corrupt entry: a length of " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    static Entry decode(byte[] bytes) {
        return decode(bytes, 0);
    }

    /** Decodes an entry that starts {@code offset} bytes into {@code bytes}. */
    static Entry decode(byte[] bytes, int offset) {
        if (bytes.length - offset < HEADER_BYTES) {
            throw new StorageException("corrupt entry: " + (bytes.length - offset) + " bytes, fewer than a header");
        }
        byte format = bytes[offset];
        if (format == FORMAT_WITH_FIELDS) {
            return decodeWithFields(bytes, offset);
        }
        if (format != FORMAT && format != FORMAT_WITH_EXPIRY) {
            throw new StorageException("entry format " + format + " is unknown to this version of dkv (it reads "
                    + FORMAT + " to " + FORMAT_WITH_FIELDS + "); was the data directory written by a newer one?");
        }
        int flags = bytes[offset + 1];
        Version version = new Version(KeyLayout.getLong(bytes, offset + 2), KeyLayout.getInt(bytes, offset + 10));
        Expiry expiry;
        int start;
        if (format == FORMAT_WITH_EXPIRY) {
            if (bytes.length - offset < HEADER_WITH_EXPIRY_BYTES) {
                throw new StorageException("corrupt entry: " + (bytes.length - offset) + " bytes, fewer than a format 2 header");
            }
            expiry = new Expiry(KeyLayout.getLong(bytes, offset + 14),
                    new Version(KeyLayout.getLong(bytes, offset + 22), KeyLayout.getInt(bytes, offset + 30)));
            start = offset + HEADER_WITH_EXPIRY_BYTES;
        } else if ((flags & HAS_EXPIRY) != 0) {
            expiry = Expiry.at(KeyLayout.getLong(bytes, offset + HEADER_BYTES), version);
            start = offset + HEADER_BYTES + Long.BYTES;
        } else {
            expiry = Expiry.never(version);
            start = offset + HEADER_BYTES;
        }
        byte[] value = (flags & TOMBSTONE) != 0 ? null : Arrays.copyOfRange(bytes, start, bytes.length);
        return new Entry(value, version, expiry);
    }
}
