package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongBinaryOperator;

/**
 * One hash tree per partition, kept current on every write so that comparing two replicas
 * never needs a scan.
 *
 * <p>A partition's tree is either <em>built</em> or not. A tree that is not built yet
 * ignores changes and must not be compared (its root means nothing); it becomes built once,
 * from a scan of the partition ({@link #build}), and stays built. Trees of an empty store
 * are built from the start ({@link #empty}); after a restart they are built in the
 * background, partition by partition ({@link MerkleTrackingStorage#build}, which also says
 * why a write racing the scan is counted exactly once).
 *
 * <p>Thread-safe without locks: leaves are atomic longs updated by XOR; a partition's slot
 * goes from "not built" to its leaves once.
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
     * The tree is deliberately flat (a root over LEAVES leaves, Riak's hashtree uses a
     * similar wide fan-out): comparing costs nothing per partition when roots match (many
     * roots travel in one MerkleRootsRequest), and one round trip that ships LEAVES x 8
     * bytes when they do not, instead of log2(leaves) round trips.
     *
     * Memory follows the data, not the partition count: a partition's leaves are allocated
     * on its first entry (an idle node, or the partitions of a node that hold nothing, cost
     * one null reference each), so allocatedLeaves() is LEAVES x (partitions holding
     * anything). LEAVES is small and fixed, 64: with the fixed partition space (4096
     * partitions, each replicated by every node of a 3-node RF-3 cluster) a node holding
     * something in every partition keeps 4096 x 512 B = 2 MiB of leaves, where 1024 leaves
     * kept 32 MiB. The cost of the narrower tree is in the descent: one differing key makes
     * the peers exchange the key digests of one leaf, keys/64 of them. At 1,000,000 keys
     * over 4096 partitions that is ~4 keys (~150 B) against 8 KiB of leaves saved per
     * comparison; a partition needs ~64 x 200 = 12,800 keys before one leaf's digests
     * (~40 B each) outweigh the 7.5 KiB the wider tree's leaves would have cost, and a
     * replica that missed many writes differs in every leaf at either width.
     *
     * Why not a width that grows with the key count: a leaf cannot be split without the
     * digests of its keys, so widening means rescanning the partition while writes go on;
     * writes to a built tree take no guard (MerkleTrackingStorage), so a second race
     * argument would be needed for a gain of a few KiB per partition. A fixed width also
     * keeps every replica's tree the same shape: roots and leaf indexes compare directly.
     * (Were widths ever to differ, a wider tree folds to a narrower one by XOR-ing leaves
     * whose indexes agree in the low bits, since a leaf is the XOR of its keys' digests and
     * a key's leaf is the low bits of its hash.)
     */

    public static final int LEAVES = 64;

    /**
     * Stands in a partition's slot while its tree is not built. A built tree's slot holds
     * its leaves, or null while they are all zero (most partitions of a node are not its
     * own, and hold nothing).
     */
    private static final AtomicLongArray NOT_BUILT = new AtomicLongArray(0);
    private static final LongBinaryOperator XOR = (a, b) -> a ^ b;

    private final AtomicReferenceArray<AtomicLongArray> partitions;
    /**
     * Per partition: the root of its leaves, kept current by every change (see {@link #root}).
     * Anti-entropy asks for the roots of over a thousand partitions per peer five times a
     * second; computing them from the leaves took 3 % of a 3-node cluster's CPU under writes,
     * when every partition changes between two rounds.
     */
    private final AtomicLongArray roots;
    private final AtomicInteger notBuilt = new AtomicInteger();
    private final AtomicLong allocatedLeaves = new AtomicLong();

    private MerkleTrees(int partitionCount) {
        this.partitions = new AtomicReferenceArray<>(partitionCount);
        this.roots = new AtomicLongArray(partitionCount);
    }

    /** The trees of a store that holds nothing: every tree is built (and empty). */
    public static MerkleTrees empty(int partitionCount) {
        return new MerkleTrees(partitionCount);
    }

    /** Trees of a store that may hold entries in any partition: none is built until {@link #build} scanned it. */
    public static MerkleTrees unbuilt(int partitionCount) {
        int[] all = new int[partitionCount];
        Arrays.setAll(all, partition -> partition);
        return unbuilt(partitionCount, all);
    }

    /**
     * Trees of a store that may hold entries in {@code partitions} and holds none in the
     * others: those are built (empty) from the start, these once {@link #build} scanned them.
     */
    public static MerkleTrees unbuilt(int partitionCount, int[] partitions) {
        MerkleTrees trees = new MerkleTrees(partitionCount);
        for (int partition : partitions) {
            if (trees.partitions.getAndSet(partition, NOT_BUILT) == null) {
                trees.notBuilt.incrementAndGet();
            }
        }
        return trees;
    }

    /**
     * Builds the trees of everything {@code storage} already holds, in the caller's thread.
     * Only for a store nobody writes to meanwhile (tests, tools).
     */
    public static MerkleTrees of(StorageEngine storage, int partitionCount) {
        MerkleTrees trees = unbuilt(partitionCount);
        for (int partition = 0; partition < partitionCount; partition++) {
            trees.build(partition, storage);
        }
        return trees;
    }

    /** How many partitions there are (built or not). */
    public int partitionCount() {
        return partitions.length();
    }

    /**
     * Leaves allocated over all partitions: {@link #LEAVES} for each partition that has held
     * an entry since its tree was built, none for the others (8 bytes each).
     */
    public long allocatedLeaves() {
        return allocatedLeaves.get();
    }

    /** Whether the partition's tree holds everything stored: only then may it be compared. */
    public boolean isBuilt(int partition) {
        return partitions.get(partition) != NOT_BUILT;
    }

    /** Whether every partition's tree is built. */
    public boolean allBuilt() {
        return notBuilt.get() == 0;
    }

    /** How many partitions' trees are built. */
    public int builtCount() {
        return partitions.length() - notBuilt.get();
    }

    /**
     * Scans the partition and publishes its tree as built; returns the entries scanned (0
     * when it was built already). The caller MUST make sure no write to the partition runs
     * between the scan and the publication, and that every write before it has completed
     * ({@link MerkleTrackingStorage#build} holds the partition's write guard for that).
     */
    long build(int partition, StorageEngine storage) {
        if (isBuilt(partition)) {
            return 0;
        }
        long[] leaves = new long[LEAVES];
        long[] entries = {0};
        storage.forEachEntry(partition, (key, entry) -> {
            long keyHash = KeyHash.of(key);
            leaves[leafOf(keyHash)] ^= digest(keyHash, entry);
            entries[0]++;
        });
        if (entries[0] > 0) {
            allocatedLeaves.addAndGet(LEAVES);
        }
        long root = 0;
        for (int i = 0; i < LEAVES; i++) {
            root ^= rootTerm(i, leaves[i]);
        }
        roots.set(partition, root); // before the leaves: a built tree's root is never read stale
        partitions.set(partition, entries[0] > 0 ? new AtomicLongArray(leaves) : null);
        notBuilt.decrementAndGet();
        return entries[0];
    }

    /**
     * Records that {@code key} went from version {@code before} to {@code after} (either may
     * be null). Ignored while the partition's tree is not built: its build will find the
     * change in storage.
     */
    public void changed(int partition, byte[] key, EntryVersion before, EntryVersion after) {
        if (!isBuilt(partition)) {
            return;
        }
        long keyHash = KeyHash.of(key);
        xorIntoLeaf(partition, keyHash, (before == null ? 0 : digest(keyHash, before)) ^ (after == null ? 0 : digest(keyHash, after)));
    }

    /** As {@link #changed(int, byte[], EntryVersion, EntryVersion)} with the entries' versions; runs on every replica write. */
    public void changed(int partition, byte[] key, Entry before, Entry after) {
        if (!isBuilt(partition)) {
            return;
        }
        long keyHash = KeyHash.of(key);
        xorIntoLeaf(partition, keyHash, (before == null ? 0 : digest(keyHash, before)) ^ (after == null ? 0 : digest(keyHash, after)));
    }

    private void xorIntoLeaf(int partition, long keyHash, long delta) {
        if (delta != 0) {
            int leaf = leafOf(keyHash);
            long leafAfter = leaves(partition).accumulateAndGet(leaf, delta, XOR);
            roots.accumulateAndGet(partition, rootTerm(leaf, leafAfter ^ delta) ^ rootTerm(leaf, leafAfter), XOR);
        }
    }

    /**
     * The root hash of a partition's tree: equal roots of built trees mean equal (key,
     * version) sets (0 for the empty set, whether the partition never held an entry or
     * lost all it had). Meaningless while the tree is not built ({@link #isBuilt}).
     *
     * <p>The root is the XOR of one term per leaf ({@link #rootTerm}), so a change to a leaf
     * changes it by the leaf's old term XOR its new one, and reading it costs nothing. Each
     * leaf change is atomic and enters the root exactly once, in any order; a root read
     * between a leaf's change and the root's can differ from the leaves for that moment,
     * which costs a comparison of leaves that then agree, as a write in flight does anyway.
     */
    public long root(int partition) {
        AtomicLongArray leaves = partitions.get(partition);
        return leaves == null || leaves == NOT_BUILT ? 0 : roots.get(partition);
    }

    /** A leaf's share of the root: 0 for an empty leaf, the leaf mixed with its index otherwise. */
    private static long rootTerm(int leaf, long hash) {
        return hash == 0 ? 0 : mix(hash + leaf * 0x9E3779B97F4A7C15L);
    }

    /** A copy of the partition's leaf hashes. */
    public long[] leafHashes(int partition) {
        AtomicLongArray leaves = partitions.get(partition);
        long[] copy = new long[LEAVES];
        if (leaves != null && leaves != NOT_BUILT) {
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
            if (partitions.compareAndSet(partition, null, new AtomicLongArray(LEAVES))) {
                allocatedLeaves.addAndGet(LEAVES);
            }
            leaves = partitions.get(partition);
        }
        return leaves;
    }

    /**
     * Both registers' versions and the fields' digest enter the leaf, so replicas that differ
     * in either register or in any hash field differ here.
     */
    static long digest(long keyHash, EntryVersion version) {
        return digest(keyHash, version.value(), version.expiry(), version.fieldsDigest());
    }

    /** The digest of {@code entry.versions()}, without making them: a write pays for no object here. */
    static long digest(long keyHash, Entry entry) {
        long fieldsDigest = entry.fields().isEmpty() ? 0 : entry.fields().digest();
        return digest(keyHash, entry.version(), entry.expiry().version(), fieldsDigest);
    }

    /** A fields digest of 0 is no fields, as {@link EntryVersion#hasFields} has it. */
    private static long digest(long keyHash, Version value, Version expiry, long fieldsDigest) {
        long digest = mix(keyHash ^ mix(value.stamp()) ^ ((long) value.node() << 17)
                ^ mix(expiry.stamp() * 0x9E3779B97F4A7C15L + expiry.node() + 1)
                ^ (fieldsDigest != 0 ? mix(fieldsDigest + 0x632BE59BD9B4E019L) : 0));
        return digest == 0 ? 1 : digest;
    }

    /** A 64-bit finaliser (SplitMix64) so that nearby inputs give unrelated digests. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
