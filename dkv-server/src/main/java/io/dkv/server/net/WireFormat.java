package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.NodeId;
import io.dkv.core.Expiry;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

import java.nio.charset.StandardCharsets;

/** Reading and writing the field types that internode messages are made of. */
final class WireFormat {

    /** Bytes an expiry register takes: time and version. */
    static final int EXPIRY_BYTES = 8 + 12;
    /** Bit of an entry's flag byte: hash fields follow the value. */
    static final int HAS_FIELDS = 2;


    private WireFormat() {
    }

    static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    static byte[] readBytes(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new CorruptedFrameException("byte field of length " + length + " with " + in.readableBytes() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    /** Reads a count of items that take at least {@code minBytesEach}, refusing counts the frame cannot hold. */
    static int readCount(ByteBuf in, int minBytesEach) {
        int count = in.readInt();
        if (count < 0 || (long) count * minBytesEach > in.readableBytes()) {
            throw new CorruptedFrameException("count " + count + " with " + in.readableBytes() + " bytes left");
        }
        return count;
    }

    static void writeLongs(ByteBuf out, long[] values) {
        out.writeInt(values.length);
        for (long value : values) {
            out.writeLong(value);
        }
    }

    static long[] readLongs(ByteBuf in) {
        long[] values = new long[readCount(in, 8)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readLong();
        }
        return values;
    }

    static void writeInts(ByteBuf out, int[] values) {
        out.writeInt(values.length);
        for (int value : values) {
            out.writeInt(value);
        }
    }

    static int[] readInts(ByteBuf in) {
        int[] values = new int[readCount(in, 4)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readInt();
        }
        return values;
    }

    static void writeByteArrays(ByteBuf out, byte[][] arrays) {
        out.writeInt(arrays.length);
        for (byte[] array : arrays) {
            writeBytes(out, array);
        }
    }

    static byte[][] readByteArrays(ByteBuf in) {
        byte[][] arrays = new byte[readCount(in, 4)][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = readBytes(in);
        }
        return arrays;
    }

    static void writeString(ByteBuf out, String text) {
        writeBytes(out, text.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(ByteBuf in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    /** A node id, or 0 for none. */
    static void writeNode(ByteBuf out, NodeId node) {
        out.writeInt(node == null ? 0 : node.number());
    }

    static NodeId readNode(ByteBuf in) {
        int number = in.readInt();
        if (number < 0) {
            throw new CorruptedFrameException("negative node number " + number);
        }
        return number == 0 ? null : NodeId.of(number);
    }

    static void writeVersion(ByteBuf out, Version version) {
        out.writeLong(version.stamp());
        out.writeInt(version.node());
    }

    static Version readVersion(ByteBuf in) {
        long stamp = in.readLong();
        int node = in.readInt();
        if (stamp < 0 || node < 0) {
            throw new CorruptedFrameException("invalid version " + stamp + "@" + node);
        }
        return new Version(stamp, node);
    }

    /**
     * An entry: the value register (version, a flag byte: 1 value, 0 tombstone, plus 2 when
     * hash fields follow, then the value), the hash fields when flagged ({@link #writeFields}),
     * then the expiry register ({@link #writeExpiry}). Entries without fields are written
     * exactly as before hashes existed.
     */
    static void writeEntry(ByteBuf out, Entry entry) {
        writeVersion(out, entry.version());
        int withFields = entry.fields().isEmpty() ? 0 : HAS_FIELDS;
        if (entry.value() == null) {
            out.writeByte(withFields);
        } else {
            out.writeByte(1 | withFields);
            writeBytes(out, entry.value());
        }
        if (withFields != 0) {
            writeFields(out, entry.fields());
        }
        writeExpiry(out, entry.expiry());
    }

    /** Hash fields: a count, then per field its name, version, a flag byte (1 value, 0 tombstone) and the value. */
    static void writeFields(ByteBuf out, HashFields fields) {
        out.writeInt(fields.all().size());
        fields.all().forEach((name, field) -> {
            writeBytes(out, name);
            writeVersion(out, field.version());
            out.writeByte(field.isTombstone() ? 0 : 1);
            if (!field.isTombstone()) {
                writeBytes(out, field.value());
            }
        });
    }

    static HashFields readFields(ByteBuf in) {
        int count = in.readInt();
        // Each field takes at least 4 + 12 + 1 bytes, so a count the frame cannot hold is corrupt.
        if (count <= 0 || count > in.readableBytes() / 17) {
            throw new CorruptedFrameException("invalid hash field count " + count);
        }
        HashFields.Builder fields = HashFields.builder();
        for (int i = 0; i < count; i++) {
            byte[] name = readBytes(in);
            Version version = readVersion(in);
            byte flag = in.readByte();
            byte[] value = switch (flag) {
                case 0 -> null;
                case 1 -> readBytes(in);
                default -> throw new CorruptedFrameException("invalid hash field flag " + flag);
            };
            fields.put(name, new Field(value, version));
        }
        return fields.build();
    }

    static Entry readEntry(ByteBuf in) {
        Version version = readVersion(in);
        byte flag = in.readByte();
        byte[] value = switch (flag & ~HAS_FIELDS) {
            case 0 -> null;
            case 1 -> readBytes(in);
            default -> throw new CorruptedFrameException("invalid entry flag " + flag);
        };
        HashFields fields = (flag & HAS_FIELDS) != 0 ? readFields(in) : HashFields.EMPTY;
        return new Entry(value, version, readExpiry(in), fields);
    }

    /** An expiry register: the time (0 for none), then its version. */
    static void writeExpiry(ByteBuf out, Expiry expiry) {
        out.writeLong(expiry.atMillis());
        writeVersion(out, expiry.version());
    }

    static Expiry readExpiry(ByteBuf in) {
        long atMillis = in.readLong();
        if (atMillis < 0) {
            throw new CorruptedFrameException("invalid expiry time " + atMillis);
        }
        return new Expiry(atMillis, readVersion(in));
    }

    /** Both registers' versions of an entry, then its fields' digest (0: none) and, with fields, their newest version. */
    static void writeEntryVersion(ByteBuf out, EntryVersion version) {
        writeVersion(out, version.value());
        writeVersion(out, version.expiry());
        out.writeLong(version.fieldsDigest());
        if (version.hasFields()) {
            writeVersion(out, version.fields());
        }
    }

    static EntryVersion readEntryVersion(ByteBuf in) {
        Version value = readVersion(in);
        Version expiry = readVersion(in);
        long fieldsDigest = in.readLong();
        return fieldsDigest == 0 ? new EntryVersion(value, expiry)
                : new EntryVersion(value, expiry, readVersion(in), fieldsDigest);
    }

    static void writeOptionalEntry(ByteBuf out, Entry entry) {
        out.writeBoolean(entry != null);
        if (entry != null) {
            writeEntry(out, entry);
        }
    }

    static Entry readOptionalEntry(ByteBuf in) {
        return in.readBoolean() ? readEntry(in) : null;
    }

    /** Bytes {@link #writeEntry} will take, for sizing buffers. */
    static int entrySize(Entry entry) {
        int size = 13 + EXPIRY_BYTES + (entry.value() == null ? 0 : 4 + entry.value().length);
        if (!entry.fields().isEmpty()) {
            size += 4;
            for (var field : entry.fields().all().entrySet()) {
                byte[] value = field.getValue().value();
                size += 4 + field.getKey().length + 12 + 1 + (value == null ? 0 : 4 + value.length);
            }
        }
        return size;
    }
}
