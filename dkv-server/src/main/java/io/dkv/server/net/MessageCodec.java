package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.version.Version;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.MoveStatusRequest;
import io.dkv.core.message.TruncateReply;
import io.dkv.core.message.TruncateRequest;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.RingMessage;
import io.dkv.core.message.KeyCountReply;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.KeyScanReply;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.message.StreamChunk;
import io.dkv.core.message.StreamRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.TombstoneCheck;
import io.dkv.core.message.TombstoneCheckReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.version.EntryVersion;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * The binary form of every internode {@link Message}: a type byte, then the fields in a
 * fixed order. Adding a message means adding a type number here, never reusing one, nor
 * one of {@link RingMessageCodec}'s ({@code MessageTypeNumbersTest} checks).
 */
final class MessageCodec {

    private static final byte WRITE_REQUEST = 1;
    private static final byte WRITE_REPLY = 2;
    private static final byte READ_REQUEST = 3;
    private static final byte READ_REPLY = 4;
    private static final byte ERROR_REPLY = 5;
    private static final byte GOSSIP = 6;
    private static final byte MERKLE_ROOT_REQUEST = 7;
    private static final byte MERKLE_LEAVES_REPLY = 8;
    private static final byte KEY_DIGESTS = 9;
    private static final byte KEY_DIGESTS_REPLY = 10;
    private static final byte TOMBSTONE_CHECK = 11;
    private static final byte TOMBSTONE_CHECK_REPLY = 12;
    private static final byte DIGEST_REPLY = 13;
    private static final byte MERKLE_ROOTS_REQUEST = 14;
    private static final byte MERKLE_ROOTS_REPLY = 15;
    private static final byte KEY_COUNT_REQUEST = 16;
    private static final byte KEY_COUNT_REPLY = 17;
    private static final byte STREAM_REQUEST = 30;
    private static final byte STREAM_CHUNK = 31;
    private static final byte NOT_MINE = 32;
    private static final byte MOVE_STATUS_REQUEST = 33;
    private static final byte MOVE_STATUS = 34;
    private static final byte KEY_SCAN_REQUEST = 35;
    private static final byte KEY_SCAN_REPLY = 36;
    private static final byte TRUNCATE_REQUEST = 37;
    private static final byte TRUNCATE_REPLY = 38;
    // 40 to 45: the ring register's messages (RingMessageCodec).

    private MessageCodec() {
    }

    static void encode(Message message, ByteBuf out) {
        if (message instanceof WriteRequest write) {
            out.writeByte(WRITE_REQUEST);
            out.writeInt(write.partition());
            WireFormat.writeBytes(out, write.key());
            WireFormat.writeEntry(out, write.entry());
            WireFormat.writeNode(out, write.hintFor());
            out.writeLong(write.epoch());
        } else if (message instanceof WriteReply reply) {
            out.writeByte(WRITE_REPLY);
            out.writeBoolean(reply.hadValue());
            out.writeBoolean(reply.recovering());
            out.writeBoolean(reply.stored() != null);
            if (reply.stored() != null) {
                WireFormat.writeVersion(out, reply.stored());
            }
        } else if (message instanceof ReadRequest read) {
            out.writeByte(READ_REQUEST);
            out.writeInt(read.partition());
            WireFormat.writeBytes(out, read.key());
            out.writeBoolean(read.digest());
            out.writeLong(read.epoch());
        } else if (message instanceof ReadReply reply) {
            out.writeByte(READ_REPLY);
            WireFormat.writeOptionalEntry(out, reply.entry());
        } else if (message instanceof DigestReply digest) {
            out.writeByte(DIGEST_REPLY);
            out.writeBoolean(digest.version() != null);
            if (digest.version() != null) {
                WireFormat.writeVersion(out, digest.version());
                out.writeBoolean(digest.tombstone());
                WireFormat.writeExpiry(out, digest.expiry());
                out.writeLong(digest.fieldsDigest());
                if (digest.fieldsDigest() != 0) {
                    WireFormat.writeVersion(out, digest.fieldsVersion());
                }
            }
        } else if (message instanceof ErrorReply error) {
            out.writeByte(ERROR_REPLY);
            WireFormat.writeString(out, error.message());
            out.writeBoolean(error.storageFull());
        } else if (message instanceof Gossip gossip) {
            out.writeByte(GOSSIP);
            out.writeByte(gossip.kind().ordinal());
            out.writeInt(gossip.size());
            for (int i = 0; i < gossip.size(); i++) {
                out.writeInt(gossip.nodes()[i]);
                out.writeLong(gossip.generations()[i]);
                out.writeLong(gossip.heartbeats()[i]);
                out.writeInt(gossip.ages()[i]);
                NodeLoad load = gossip.loads()[i];
                out.writeInt(load.opsPerSecond());
                out.writeInt(load.p99Micros());
                out.writeLong(load.keys());
                out.writeLong(load.hints());
                out.writeBoolean(load.recovering());
            }
            out.writeLong(gossip.ringEpoch());
            out.writeLong(gossip.truncatedAt());
        } else if (message instanceof RingMessage ring) {
            RingMessageCodec.encode(ring, out);
        } else if (message instanceof MerkleRootRequest root) {
            out.writeByte(MERKLE_ROOT_REQUEST);
            out.writeInt(root.partition());
            out.writeLong(root.root());
        } else if (message instanceof MerkleRootsRequest roots) {
            out.writeByte(MERKLE_ROOTS_REQUEST);
            out.writeInt(roots.partitions().length);
            for (int i = 0; i < roots.partitions().length; i++) {
                out.writeInt(roots.partitions()[i]);
                out.writeLong(roots.roots()[i]);
            }
        } else if (message instanceof MerkleRootsReply reply) {
            out.writeByte(MERKLE_ROOTS_REPLY);
            WireFormat.writeInts(out, reply.differing());
            WireFormat.writeInts(out, reply.notBuilt());
        } else if (message instanceof MerkleLeavesReply leaves) {
            out.writeByte(MERKLE_LEAVES_REPLY);
            out.writeBoolean(leaves.same());
            WireFormat.writeLongs(out, leaves.leaves());
        } else if (message instanceof KeyDigests digests) {
            out.writeByte(KEY_DIGESTS);
            out.writeInt(digests.partition());
            WireFormat.writeInts(out, digests.leaves());
            writeKeysAndVersions(out, digests.keys(), digests.versions());
        } else if (message instanceof KeyDigestsReply reply) {
            out.writeByte(KEY_DIGESTS_REPLY);
            writeKeysAndEntries(out, reply.newerKeys(), reply.newerEntries());
            WireFormat.writeByteArrays(out, reply.wantedKeys());
            out.writeBoolean(reply.complete());
        } else if (message instanceof TombstoneCheck check) {
            out.writeByte(TOMBSTONE_CHECK);
            out.writeInt(check.partition());
            writeKeysAndVersions(out, check.keys(), check.versions());
        } else if (message instanceof TombstoneCheckReply reply) {
            out.writeByte(TOMBSTONE_CHECK_REPLY);
            out.writeInt(reply.safe().length);
            for (boolean safe : reply.safe()) {
                out.writeBoolean(safe);
            }
        } else if (message instanceof TruncateRequest truncate) {
            out.writeByte(TRUNCATE_REQUEST);
            out.writeLong(truncate.stamp());
            out.writeBoolean(truncate.sync());
        } else if (message instanceof TruncateReply truncated) {
            out.writeByte(TRUNCATE_REPLY);
            out.writeLong(truncated.stamp());
        } else if (message instanceof MoveStatusRequest) {
            out.writeByte(MOVE_STATUS_REQUEST);
        } else if (message instanceof MoveStatus status) {
            out.writeByte(MOVE_STATUS);
            out.writeLong(status.epoch());
            out.writeInt(status.partitionsTotal());
            out.writeInt(status.partitionsDone());
            out.writeLong(status.bytes());
            out.writeBoolean(status.ready());
        } else if (message instanceof NotMine notMine) {
            out.writeByte(NOT_MINE);
            out.writeLong(notMine.epoch());
            WireFormat.writeString(out, notMine.reason());
        } else if (message instanceof StreamRequest stream) {
            out.writeByte(STREAM_REQUEST);
            out.writeInt(stream.partition());
            out.writeInt(stream.maxBytes());
            out.writeLong(stream.epoch());
            out.writeBoolean(stream.after() != null);
            if (stream.after() != null) {
                WireFormat.writeBytes(out, stream.after());
            }
        } else if (message instanceof StreamChunk chunk) {
            out.writeByte(STREAM_CHUNK);
            writeKeysAndEntries(out, chunk.keys(), chunk.entries());
            out.writeBoolean(chunk.last());
        } else if (message instanceof KeyScanRequest scan) {
            out.writeByte(KEY_SCAN_REQUEST);
            out.writeInt(scan.partition());
            out.writeLong(scan.fromHash());
            out.writeInt(scan.maxKeys());
            out.writeInt(scan.maxBytes());
            out.writeLong(scan.epoch());
        } else if (message instanceof KeyScanReply reply) {
            out.writeByte(KEY_SCAN_REPLY);
            writeKeysAndEntries(out, reply.keys(), reply.entries());
            out.writeLong(reply.resumeHash());
            out.writeBoolean(reply.last());
        } else if (message instanceof KeyCountRequest count) {
            out.writeByte(KEY_COUNT_REQUEST);
            WireFormat.writeInts(out, count.partitions());
        } else if (message instanceof KeyCountReply reply) {
            out.writeByte(KEY_COUNT_REPLY);
            WireFormat.writeLongs(out, reply.counts());
        } else {
            throw new IllegalArgumentException("no wire format for " + message.getClass().getName());
        }
    }

    static Message decode(ByteBuf in) {
        byte type = in.readByte();
        Message message = switch (type) {
            case WRITE_REQUEST -> new WriteRequest(readPartition(in), WireFormat.readBytes(in),
                    WireFormat.readEntry(in), WireFormat.readNode(in), in.readLong());
            case WRITE_REPLY -> {
                boolean hadValue = in.readBoolean();
                boolean recovering = in.readBoolean();
                yield new WriteReply(hadValue, in.readBoolean() ? WireFormat.readVersion(in) : null, recovering);
            }
            case READ_REQUEST -> new ReadRequest(readPartition(in), WireFormat.readBytes(in), in.readBoolean(),
                    in.readLong());
            case DIGEST_REPLY -> in.readBoolean() ? readDigest(in) : DigestReply.MISSING;
            case READ_REPLY -> {
                var entry = WireFormat.readOptionalEntry(in);
                yield entry == null ? ReadReply.MISSING : new ReadReply(entry);
            }
            case ERROR_REPLY -> new ErrorReply(WireFormat.readString(in), in.readBoolean());
            case GOSSIP -> readGossip(in);
            case MERKLE_ROOT_REQUEST -> new MerkleRootRequest(readPartition(in), in.readLong());
            case MERKLE_LEAVES_REPLY -> new MerkleLeavesReply(in.readBoolean(), WireFormat.readLongs(in));
            case MERKLE_ROOTS_REQUEST -> readMerkleRootsRequest(in);
            case MERKLE_ROOTS_REPLY -> new MerkleRootsReply(readPartitions(in), readPartitions(in));
            case KEY_DIGESTS -> readKeyDigests(in);
            case KEY_DIGESTS_REPLY -> readKeyDigestsReply(in);
            case TOMBSTONE_CHECK -> readTombstoneCheck(in);
            case NOT_MINE -> new NotMine(in.readLong(), WireFormat.readString(in));
            case MOVE_STATUS_REQUEST -> MoveStatusRequest.INSTANCE;
            case TRUNCATE_REQUEST -> new TruncateRequest(readStamp(in), in.readBoolean());
            case TRUNCATE_REPLY -> new TruncateReply(readStamp(in));
            case MOVE_STATUS -> new MoveStatus(in.readLong(), in.readInt(), in.readInt(), in.readLong(), in.readBoolean());
            case STREAM_REQUEST -> readStreamRequest(in);
            case STREAM_CHUNK -> readStreamChunk(in);
            case KEY_SCAN_REQUEST -> readKeyScanRequest(in);
            case KEY_SCAN_REPLY -> {
                KeysAndEntries read = readKeysAndEntries(in);
                yield new KeyScanReply(read.keys(), read.entries(), in.readLong(), in.readBoolean());
            }
            case KEY_COUNT_REQUEST -> new KeyCountRequest(readPartitions(in));
            case KEY_COUNT_REPLY -> new KeyCountReply(WireFormat.readLongs(in));
            case TOMBSTONE_CHECK_REPLY -> {
                boolean[] safe = new boolean[WireFormat.readCount(in, 1)];
                for (int i = 0; i < safe.length; i++) {
                    safe[i] = in.readBoolean();
                }
                yield new TombstoneCheckReply(safe);
            }
            default -> {
                if (RingMessageCodec.isRingType(type)) {
                    yield RingMessageCodec.decode(type, in);
                }
                throw new CorruptedFrameException("unknown message type " + type);
            }
        };
        if (in.isReadable()) {
            throw new CorruptedFrameException(in.readableBytes() + " unexpected bytes after message type " + type);
        }
        return message;
    }

    /** An upper bound on the encoded size, so the encoder allocates once. */
    static int sizeHint(Message message) {
        if (message instanceof WriteRequest write) {
            return 22 + write.key().length + WireFormat.entrySize(write.entry());
        }
        if (message instanceof ReadRequest read) {
            return 23 + read.key().length;
        }
        if (message instanceof ReadReply reply) {
            return 2 + (reply.entry() == null ? 0 : WireFormat.entrySize(reply.entry()));
        }
        if (message instanceof Gossip gossip) {
            return 22 + 49 * gossip.size();
        }
        if (message instanceof RingMessage ring) {
            return RingMessageCodec.sizeHint(ring);
        }
        if (message instanceof MerkleLeavesReply leaves) {
            return 6 + 8 * leaves.leaves().length;
        }
        if (message instanceof StreamChunk chunk) {
            int size = 6;
            for (int i = 0; i < chunk.keys().length; i++) {
                size += 4 + chunk.keys()[i].length + WireFormat.entrySize(chunk.entries()[i]);
            }
            return size;
        }
        if (message instanceof KeyScanReply reply) {
            int size = 14;
            for (int i = 0; i < reply.keys().length; i++) {
                size += 4 + reply.keys()[i].length + WireFormat.entrySize(reply.entries()[i]);
            }
            return size;
        }
        if (message instanceof KeyCountRequest count) {
            return 5 + 4 * count.partitions().length;
        }
        if (message instanceof KeyCountReply reply) {
            return 5 + 8 * reply.counts().length;
        }
        if (message instanceof MerkleRootsRequest roots) {
            return 5 + MerkleRootsRequest.BYTES_PER_PARTITION * roots.partitions().length;
        }
        if (message instanceof MerkleRootsReply reply) {
            return 9 + 4 * (reply.differing().length + reply.notBuilt().length);
        }
        return 64;
    }

    private static long readStamp(ByteBuf in) {
        long stamp = in.readLong();
        if (stamp < 0) {
            throw new CorruptedFrameException("negative truncation stamp " + stamp);
        }
        return stamp;
    }

    private static Gossip readGossip(ByteBuf in) {
        int kindCode = in.readByte();
        if (kindCode < 0 || kindCode >= Gossip.Kind.values().length) {
            throw new CorruptedFrameException("unknown gossip kind " + kindCode);
        }
        Gossip.Kind kind = Gossip.Kind.values()[kindCode];
        int size = WireFormat.readCount(in, 49);
        int[] nodes = new int[size];
        long[] generations = new long[size];
        long[] heartbeats = new long[size];
        int[] ages = new int[size];
        NodeLoad[] loads = new NodeLoad[size];
        for (int i = 0; i < size; i++) {
            nodes[i] = in.readInt();
            generations[i] = in.readLong();
            heartbeats[i] = in.readLong();
            ages[i] = in.readInt();
            loads[i] = new NodeLoad(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readBoolean());
        }
        // Gossip from a node that predates ring epochs ends here: it knows only epoch 0.
        long ringEpoch = in.readableBytes() >= 8 ? in.readLong() : 0;
        if (ringEpoch < 0) {
            throw new CorruptedFrameException("negative ring epoch " + ringEpoch);
        }
        // Gossip from a node that predates FLUSHALL ends here: it has never flushed.
        long truncatedAt = in.readableBytes() >= 8 ? readStamp(in) : 0;
        return new Gossip(nodes, generations, heartbeats, ages, loads, kind, ringEpoch, truncatedAt);
    }

    private static MerkleRootsRequest readMerkleRootsRequest(ByteBuf in) {
        int count = WireFormat.readCount(in, MerkleRootsRequest.BYTES_PER_PARTITION);
        int[] partitions = new int[count];
        long[] roots = new long[count];
        for (int i = 0; i < count; i++) {
            partitions[i] = readPartition(in);
            roots[i] = in.readLong();
        }
        return new MerkleRootsRequest(partitions, roots);
    }

    private static int[] readPartitions(ByteBuf in) {
        int[] partitions = new int[WireFormat.readCount(in, Integer.BYTES)];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = readPartition(in);
        }
        return partitions;
    }

    private static KeyDigests readKeyDigests(ByteBuf in) {
        int partition = readPartition(in);
        int[] leaves = WireFormat.readInts(in);
        KeysAndVersions read = readKeysAndVersions(in);
        return new KeyDigests(partition, leaves, read.keys(), read.versions());
    }

    private static DigestReply readDigest(ByteBuf in) {
        Version version = WireFormat.readVersion(in);
        boolean tombstone = in.readBoolean();
        Expiry expiry = WireFormat.readExpiry(in);
        long fieldsDigest = in.readLong();
        return fieldsDigest == 0 ? new DigestReply(version, tombstone, expiry)
                : new DigestReply(version, tombstone, expiry, WireFormat.readVersion(in), fieldsDigest);
    }

    private record KeysAndVersions(byte[][] keys, EntryVersion[] versions) {
    }

    private static void writeKeysAndVersions(ByteBuf out, byte[][] keys, EntryVersion[] versions) {
        out.writeInt(keys.length);
        for (int i = 0; i < keys.length; i++) {
            WireFormat.writeBytes(out, keys[i]);
            WireFormat.writeEntryVersion(out, versions[i]);
        }
    }

    private static KeysAndVersions readKeysAndVersions(ByteBuf in) {
        int count = WireFormat.readCount(in, 28);
        byte[][] keys = new byte[count][];
        EntryVersion[] versions = new EntryVersion[count];
        for (int i = 0; i < count; i++) {
            keys[i] = WireFormat.readBytes(in);
            versions[i] = WireFormat.readEntryVersion(in);
        }
        return new KeysAndVersions(keys, versions);
    }

    private static KeyDigestsReply readKeyDigestsReply(ByteBuf in) {
        KeysAndEntries read = readKeysAndEntries(in);
        return new KeyDigestsReply(read.keys(), read.entries(), WireFormat.readByteArrays(in), in.readBoolean());
    }

    private record KeysAndEntries(byte[][] keys, Entry[] entries) {
    }

    private static void writeKeysAndEntries(ByteBuf out, byte[][] keys, Entry[] entries) {
        out.writeInt(keys.length);
        for (int i = 0; i < keys.length; i++) {
            WireFormat.writeBytes(out, keys[i]);
            WireFormat.writeEntry(out, entries[i]);
        }
    }

    private static KeysAndEntries readKeysAndEntries(ByteBuf in) {
        int count = WireFormat.readCount(in, 17);
        byte[][] keys = new byte[count][];
        Entry[] entries = new Entry[count];
        for (int i = 0; i < count; i++) {
            keys[i] = WireFormat.readBytes(in);
            entries[i] = WireFormat.readEntry(in);
        }
        return new KeysAndEntries(keys, entries);
    }

    private static StreamRequest readStreamRequest(ByteBuf in) {
        int partition = readPartition(in);
        int maxBytes = in.readInt();
        if (maxBytes < 1) {
            throw new CorruptedFrameException("stream chunk limit " + maxBytes + " is not positive");
        }
        long epoch = in.readLong();
        return new StreamRequest(partition, in.readBoolean() ? WireFormat.readBytes(in) : null, maxBytes, epoch);
    }

    private static KeyScanRequest readKeyScanRequest(ByteBuf in) {
        int partition = readPartition(in);
        long fromHash = in.readLong();
        int maxKeys = in.readInt();
        int maxBytes = in.readInt();
        if (maxKeys < 1 || maxBytes < 1) {
            throw new CorruptedFrameException("key scan limits " + maxKeys + " keys, " + maxBytes + " bytes are not positive");
        }
        return new KeyScanRequest(partition, fromHash, maxKeys, maxBytes, in.readLong());
    }

    private static StreamChunk readStreamChunk(ByteBuf in) {
        KeysAndEntries read = readKeysAndEntries(in);
        return new StreamChunk(read.keys(), read.entries(), in.readBoolean());
    }

    private static TombstoneCheck readTombstoneCheck(ByteBuf in) {
        int partition = readPartition(in);
        KeysAndVersions read = readKeysAndVersions(in);
        return new TombstoneCheck(partition, read.keys(), read.versions());
    }

    private static int readPartition(ByteBuf in) {
        int partition = in.readInt();
        if (partition < 0) {
            throw new CorruptedFrameException("negative partition " + partition);
        }
        return partition;
    }
}
