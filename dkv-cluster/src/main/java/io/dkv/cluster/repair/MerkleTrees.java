package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One hash tree per partition, kept current on every write so that comparing two replicas
 * never needs a scan.
 *
 * <p>Thread-safe without locks: leaves are atomic longs updated by XOR.
 */
public final class MerkleTrees {

    /*
     * The tree has a root over LEAVES buckets; a key falls in the bucket given by the low
     * bits of its hash (the partition comes from the high bits, so buckets are spread
     * evenly). A leaf is the XOR of one digest per (key, version) in its bucket, and a
     * write that replaces version a by b XORs in digest(a) ^ digest(b). XOR is commutative,
     * so concurrent writes to different keys of one leaf need no ordering, and the leaf is
     * always the hash of the set of (key, version) pairs stored. Replicas that hold the same
     * entries therefore have equal trees whatever order the writes came in.
     *
     * The tree is deliberately flat (a root over 1024 leaves, Riak's hashtree uses a similar
     * wide fan-out): comparing costs one round trip when roots match, and one more that
     * ships 8 KiB of leaves when they do not, instead of log2(leaves) round trips.
     */

    public static final int LEAVES = 1024;

    private final AtomicReferenceArray<AtomicLongArray> partitions;

    public MerkleTrees(int partitionCount) {
        this.partitions = new AtomicReferenceArray<>(partitionCount);
    }

    /** Builds the trees of everything {@code storage} already holds (after a restart). */
    public static MerkleTrees of(StorageEngine storage, int partitionCount) {
        MerkleTrees trees = new MerkleTrees(partitionCount);
        for (int partition = 0; partition < partitionCount; partition++) {
            int p = partition;
            storage.forEachEntry(partition, (key, entry) -> trees.changed(p, key, null, entry.version()));
        }
        return trees;
    }

    /** Records that {@code key} went from version {@code before} to {@code after} (either may be null). */
    public void changed(int partition, byte[] key, Version before, Version after) {
        long keyHash = KeyHash.of(key);
        long delta = (before == null ? 0 : digest(keyHash, before)) ^ (after == null ? 0 : digest(keyHash, after));
        if (delta != 0) {
            leaves(partition).accumulateAndGet(leafOf(keyHash), delta, (a, b) -> a ^ b);
        }
    }

    public void changed(int partition, byte[] key, Entry before, Entry after) {
        changed(partition, key, before == null ? null : before.version(), after == null ? null : after.version());
    }

    /** The root hash of a partition's tree: equal roots mean equal (key, version) sets. */
    public long root(int partition) {
        AtomicLongArray leaves = partitions.get(partition);
        if (leaves == null) {
            return 0;
        }
        long root = 0;
        for (int i = 0; i < LEAVES; i++) {
            root = root * 0x9E3779B97F4A7C15L + mix(leaves.get(i) + i);
        }
        return root;
    }

    /** A copy of the partition's leaf hashes. */
    public long[] leafHashes(int partition) {
        AtomicLongArray leaves = partitions.get(partition);
        long[] copy = new long[LEAVES];
        if (leaves != null) {
            for (int i = 0; i < LEAVES; i++) {
                copy[i] = leaves.get(i);
            }
        }
        return copy;
    }

    public static int leafOf(byte[] key) {
        return leafOf(KeyHash.of(key));
    }

    static int leafOf(long keyHash) {
        return (int) (keyHash & (LEAVES - 1));
    }

    private AtomicLongArray leaves(int partition) {
        AtomicLongArray leaves = partitions.get(partition);
        if (leaves == null) {
            partitions.compareAndSet(partition, null, new AtomicLongArray(LEAVES));
            leaves = partitions.get(partition);
        }
        return leaves;
    }

    private static long digest(long keyHash, Version version) {
        long digest = mix(keyHash ^ mix(version.stamp()) ^ ((long) version.node() << 17));
        return digest == 0 ? 1 : digest;
    }

    /** A 64-bit finaliser (SplitMix64) so that nearby inputs give unrelated digests. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
