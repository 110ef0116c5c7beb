package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;

import java.util.Arrays;

/**
 * How an {@link Entry} is laid out in an on-disk value:
 *
 * <pre>
 *   byte 0       format (1)
 *   byte 1       flags: bit 0 tombstone, bit 1 an expiry follows
 *   bytes 2-9    version stamp (big-endian)
 *   bytes 10-13  version node number
 *   [8 bytes     expiry, epoch milliseconds, when flag bit 1 is set]
 *   rest         the value (empty for a tombstone)
 * </pre>
 *
 * The format byte lets the layout change later (a reader refuses a format it does not
 * know instead of misreading it); the expiry slot is reserved for keys with a TTL, which
 * are not implemented yet, so nothing writes it today but every reader skips it.
 */
final class EntryCodec {

    static final byte FORMAT = 1;
    static final int TOMBSTONE = 1;
    static final int HAS_EXPIRY = 1 << 1;
    static final int HEADER_BYTES = 14;

    private EntryCodec() {
    }

    static byte[] encode(Entry entry) {
        byte[] value = entry.value();
        byte[] out = new byte[HEADER_BYTES + (value == null ? 0 : value.length)];
        out[0] = FORMAT;
        out[1] = (byte) (entry.isTombstone() ? TOMBSTONE : 0);
        KeyLayout.putLong(out, 2, entry.version().stamp());
        KeyLayout.putInt(out, 10, entry.version().node());
        if (value != null) {
            System.arraycopy(value, 0, out, HEADER_BYTES, value.length);
        }
        return out;
    }

    static Entry decode(byte[] bytes) {
        return decode(bytes, 0);
    }

    /** Decodes an entry that starts {@code offset} bytes into {@code bytes}. */
    static Entry decode(byte[] bytes, int offset) {
        if (bytes.length - offset < HEADER_BYTES) {
            throw new StorageException("corrupt entry: " + (bytes.length - offset) + " bytes, fewer than a header");
        }
        if (bytes[offset] != FORMAT) {
            throw new StorageException("entry format " + bytes[offset] + " is unknown to this version of dkv (it reads "
                    + FORMAT + "); was the data directory written by a newer one?");
        }
        int flags = bytes[offset + 1];
        Version version = new Version(KeyLayout.getLong(bytes, offset + 2), KeyLayout.getInt(bytes, offset + 10));
        if ((flags & TOMBSTONE) != 0) {
            return Entry.tombstone(version);
        }
        int start = offset + HEADER_BYTES + ((flags & HAS_EXPIRY) != 0 ? Long.BYTES : 0);
        return Entry.value(Arrays.copyOfRange(bytes, start, bytes.length), version);
    }
}
