package io.dkv.server.storage;

import io.dkv.core.ring.KeyHash;

import java.util.Arrays;

/**
 * How keys are laid out on disk: the key's 64-bit ring hash ({@link KeyHash}) big-endian,
 * then the key's bytes.
 *
 * <p>Why the hash first: {@code Ring.partitionOfHash} maps a hash to its partition by the
 * top 32 bits, unsigned, with a multiply-shift ({@code (top32 * partitions) >>> 32}), which
 * is monotonic. So every partition is one contiguous range of hashes, and RocksDB's
 * bytewise (unsigned) order of big-endian hashes is hash order: a partition's keys are one
 * contiguous range of on-disk keys, iterated with an iterator bounded by that range. The
 * partition number itself is never written, so the same files serve any partition count:
 * only the bounds are recomputed.
 *
 * <p>Partition {@code p} of {@code P} holds the hashes whose top 32 bits {@code t} satisfy
 * {@code floor(t * P / 2^32) == p}, that is {@code ceil(p * 2^32 / P) <= t < ceil((p+1) * 2^32 / P)}.
 */
final class KeyLayout {

    static final int HASH_BYTES = Long.BYTES;

    private KeyLayout() {
    }

    /** The on-disk key: hash, then key. */
    static byte[] diskKey(byte[] key) {
        return diskKey(KeyHash.of(key), key, 0);
    }

    /** The on-disk key with {@code prefixBytes} zero bytes in front, for the caller to fill. */
    static byte[] diskKey(long hash, byte[] key, int prefixBytes) {
        byte[] disk = new byte[prefixBytes + HASH_BYTES + key.length];
        putLong(disk, prefixBytes, hash);
        System.arraycopy(key, 0, disk, prefixBytes + HASH_BYTES, key.length);
        return disk;
    }

    /** The user key inside an on-disk key that has {@code prefixBytes} in front of the hash. */
    static byte[] userKey(byte[] diskKey, int prefixBytes) {
        return Arrays.copyOfRange(diskKey, prefixBytes + HASH_BYTES, diskKey.length);
    }

    /** The first top-32-bit hash value of {@code partition}; {@code 2^32} for {@code partition == partitions}. */
    static long firstTop32(int partition, int partitions) {
        if (partition < 0 || partition > partitions) {
            throw new IllegalArgumentException("partition " + partition + " is not in 0.." + partitions);
        }
        return (((long) partition << 32) + partitions - 1) / partitions;
    }

    /** The smallest hash in {@code partition} (as an unsigned 64-bit number). */
    static long firstHash(int partition, int partitions) {
        return firstTop32(partition, partitions) << 32;
    }

    /** Inclusive lower bound of the partition's on-disk keys, after {@code prefix}. */
    static byte[] lowerBound(byte[] prefix, int partition, int partitions) {
        byte[] bound = Arrays.copyOf(prefix, prefix.length + HASH_BYTES);
        putLong(bound, prefix.length, firstHash(partition, partitions));
        return bound;
    }

    /**
     * Exclusive upper bound of the partition's on-disk keys, after {@code prefix}; for the last
     * partition, the first key after every key that starts with {@code prefix}, or
     * {@code null} when nothing bounds it (empty prefix).
     */
    static byte[] upperBound(byte[] prefix, int partition, int partitions) {
        if (partition + 1 < partitions) {
            return lowerBound(prefix, partition + 1, partitions);
        }
        return successor(prefix);
    }

    /** The smallest byte string greater than every string starting with {@code prefix}, or null. */
    static byte[] successor(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] next = Arrays.copyOf(prefix, i + 1);
                next[i]++;
                return next;
            }
        }
        return null;
    }

    static void putLong(byte[] target, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            target[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    static long getLong(byte[] source, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (source[offset + i] & 0xFF);
        }
        return value;
    }

    static void putInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    static int getInt(byte[] source, int offset) {
        return (source[offset] & 0xFF) << 24 | (source[offset + 1] & 0xFF) << 16
                | (source[offset + 2] & 0xFF) << 8 | (source[offset + 3] & 0xFF);
    }
}
