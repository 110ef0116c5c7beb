package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.HashFields;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MerkleTreesTest {

    private record Write(String key, Entry entry) {
    }

    private static List<Write> writes(int count, long seed) {
        Random random = new Random(seed);
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "k" + random.nextInt(count / 2);
            Version version = new Version(random.nextInt(1000), 1 + random.nextInt(3));
            writes.add(new Write(key, random.nextInt(5) == 0 ? Entry.tombstone(version)
                    : Entry.value(("v" + i).getBytes(StandardCharsets.UTF_8), version)));
        }
        return writes;
    }

    private static MerkleTrackingStorage apply(List<Write> writes) {
        MerkleTrackingStorage storage = new MerkleTrackingStorage(MemoryStorageEngine.unlimited(4), MerkleTrees.empty(4));
        for (Write write : writes) {
            storage.merge(2, write.key().getBytes(StandardCharsets.UTF_8), write.entry());
        }
        return storage;
    }

    @Test
    void replicasThatSawTheSameWritesInAnyOrderHaveEqualTrees() {
        List<Write> writes = writes(2_000, 1);
        List<Write> shuffled = new ArrayList<>(writes);
        Collections.shuffle(shuffled, new Random(2));

        MerkleTrees a = apply(writes).trees();
        MerkleTrees b = apply(shuffled).trees();

        assertThat(a.root(2)).isEqualTo(b.root(2)).isNotZero();
        assertThat(a.leafHashes(2)).isEqualTo(b.leafHashes(2));
    }

    @Test
    void aBatchMergeCountsInTheTreeWhatItStores() {
        // Half the keys stored first, some of them newer than the batch's entries.
        MerkleTrackingStorage batched = apply(writes(500, 3));
        MerkleTrackingStorage oneByOne = apply(writes(500, 3));
        byte[][] keys = new byte[300][];
        Entry[] entries = new Entry[300];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ("k" + i).getBytes(StandardCharsets.UTF_8);
            entries[i] = Entry.value(("b" + i).getBytes(StandardCharsets.UTF_8), new Version(500, 2));
        }
        batched.mergeAll(2, keys, entries, new io.dkv.core.storage.MergeResult[keys.length]);
        for (int i = 0; i < keys.length; i++) {
            oneByOne.merge(2, keys[i], entries[i]);
        }

        assertThat(batched.trees().leafHashes(2)).isEqualTo(oneByOne.trees().leafHashes(2));
        MerkleTrees rebuilt = MerkleTrees.unbuilt(4);
        rebuilt.build(2, batched);
        assertThat(batched.trees().root(2)).isEqualTo(rebuilt.root(2)).isNotZero();
    }

    @Test
    void aBatchMergeCountsTheEntryItStoresNotTheOneOffered() {
        // The stored expiry is newer than the offered value: what is stored mixes the two.
        MerkleTrackingStorage storage = new MerkleTrackingStorage(MemoryStorageEngine.unlimited(4), MerkleTrees.empty(4));
        byte[] key = bytes("mixed");
        storage.merge(2, key, Entry.expiryOnly(Expiry.at(1_000_000, new Version(900, 1))));

        storage.mergeAll(2, new byte[][] {key}, new Entry[] {Entry.value(bytes("v"), new Version(500, 2))},
                new io.dkv.core.storage.MergeResult[1]);

        assertThat(storage.get(2, key).expiry().version()).isEqualTo(new Version(900, 1));
        assertThat(storage.trees().leafHashes(2)).isEqualTo(MerkleTrees.of(storage, 4).leafHashes(2));
    }

    @Test
    void anEntrysDigestIsTheDigestOfItsVersions() {
        long keyHash = io.dkv.core.ring.KeyHash.of(bytes("k"));
        Version version = new Version(7, 2);
        List<Entry> entries = List.of(
                Entry.value(bytes("v"), version),
                Entry.tombstone(version),
                Entry.expiring(bytes("v"), version, 123),
                Entry.expiryOnly(Expiry.at(5, new Version(9, 1))),
                Entry.fieldsOnly(HashFields.written(java.util.Map.of(bytes("f"), bytes("x")), version)));
        for (Entry entry : entries) {
            assertThat(MerkleTrees.digest(keyHash, entry)).as("%s", entry).isEqualTo(MerkleTrees.digest(keyHash, entry.versions()));
        }
    }

    @Test
    void oneDifferentKeyChangesTheRootAndExactlyOneLeaf() {
        List<Write> writes = writes(2_000, 1);
        MerkleTrackingStorage a = apply(writes);
        MerkleTrackingStorage b = apply(writes);
        b.merge(2, "extra".getBytes(StandardCharsets.UTF_8), Entry.value(new byte[1], new Version(5_000, 1)));

        assertThat(a.trees().root(2)).isNotEqualTo(b.trees().root(2));
        long[] leavesA = a.trees().leafHashes(2);
        long[] leavesB = b.trees().leafHashes(2);
        int differing = 0;
        for (int i = 0; i < MerkleTrees.LEAVES; i++) {
            if (leavesA[i] != leavesB[i]) {
                differing++;
                assertThat(i).isEqualTo(MerkleTrees.leafOf("extra".getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(differing).isEqualTo(1);
    }

    @Test
    void removingAnEntryUndoesItsContribution() {
        MerkleTrackingStorage storage = apply(writes(200, 3));
        long before = storage.trees().root(2);
        byte[] key = "tomb".getBytes(StandardCharsets.UTF_8);
        Version version = new Version(9_999, 1);
        storage.merge(2, key, Entry.tombstone(version));
        assertThat(storage.trees().root(2)).isNotEqualTo(before);

        storage.removeIfVersion(2, key, EntryVersion.of(version));

        assertThat(storage.trees().root(2)).isEqualTo(before);
    }

    @Test
    void aRootAskedForBetweenWritesFollowsEveryWrite() {
        // The root is kept apart from the leaves: asking after each write must see that write.
        List<Write> writes = writes(500, 5);
        MerkleTrackingStorage asked = new MerkleTrackingStorage(MemoryStorageEngine.unlimited(4), MerkleTrees.empty(4));
        List<Write> applied = new ArrayList<>();
        for (Write write : writes) {
            asked.trees().root(2);
            asked.merge(2, write.key().getBytes(StandardCharsets.UTF_8), write.entry());
            applied.add(write);
            assertThat(asked.trees().root(2)).as("after %d writes", applied.size())
                    .isEqualTo(MerkleTrees.of(asked, 4).root(2));
            assertThat(asked.trees().root(2)).as("asked twice").isEqualTo(asked.trees().root(2));
        }
        assertThat(asked.trees().root(2)).isEqualTo(apply(writes).trees().root(2));
    }

    @Test
    void concurrentWritersToOneLeafLeaveTheRootOfWhatIsStored() throws Exception {
        // Four threads write disjoint keys of one partition at once, so their changes race on
        // the same leaves and the same root: each change must enter the root exactly once.
        MerkleTrackingStorage storage = new MerkleTrackingStorage(MemoryStorageEngine.unlimited(4), MerkleTrees.empty(4));
        int threads = 4;
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int offset = t;
            writers[t] = new Thread(() -> {
                for (Write write : writes(4_000, 10 + offset)) {
                    storage.merge(2, (offset + write.key()).getBytes(StandardCharsets.UTF_8), write.entry());
                }
            });
        }
        for (Thread writer : writers) {
            writer.start();
        }
        for (Thread writer : writers) {
            writer.join();
        }

        assertThat(storage.trees().root(2)).isEqualTo(MerkleTrees.of(storage, 4).root(2)).isNotZero();
    }

    @Test
    void treesRebuiltFromStorageMatchTreesKeptOnWrite() {
        MerkleTrackingStorage storage = apply(writes(1_000, 4));

        MerkleTrees rebuilt = MerkleTrees.of(storage, 4);

        assertThat(rebuilt.root(2)).isEqualTo(storage.trees().root(2));
        assertThat(rebuilt.root(0)).isEqualTo(storage.trees().root(0)).isZero();
    }

    @Test
    void anEmptyStoreHoldsNoLeavesAndAPartitionAllocatesItsLeavesOnItsFirstEntry() {
        MerkleTrees trees = MerkleTrees.empty(4096);
        assertThat(trees.allocatedLeaves()).isZero();

        trees.changed(7, bytes("a"), null, EntryVersion.of(new Version(1, 1)));
        trees.changed(7, bytes("b"), null, EntryVersion.of(new Version(1, 1)));
        assertThat(trees.allocatedLeaves()).isEqualTo(MerkleTrees.LEAVES);

        trees.changed(9, bytes("c"), null, EntryVersion.of(new Version(1, 1)));
        assertThat(trees.allocatedLeaves()).isEqualTo(2L * MerkleTrees.LEAVES);
    }

    @Test
    void treesBuiltFromAStoreAllocateLeavesOnlyForPartitionsHoldingEntries() {
        MemoryStorageEngine storage = MemoryStorageEngine.unlimited(4096);
        storage.merge(3, bytes("x"), Entry.value(new byte[1], new Version(1, 1)));

        MerkleTrees trees = MerkleTrees.of(storage, 4096);

        assertThat(trees.allBuilt()).isTrue();
        assertThat(trees.allocatedLeaves()).isEqualTo(MerkleTrees.LEAVES);
    }

    /**
     * The measurement quoted in MerkleTrees and docs/ARCHITECTURE.md: leaf memory with the
     * fixed partition space (4096) for 0 keys and for 1,000,000 keys spread by hash.
     */
    @Test
    void leafMemoryWithTheFixedPartitionSpaceFollowsTheData() {
        int partitions = 4096;
        MerkleTrees trees = MerkleTrees.empty(partitions);
        long idle = trees.allocatedLeaves() * Long.BYTES;
        long seed = 12;
        System.out.println("MerkleTreesTest seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 1_000_000; i++) {
            byte[] key = bytes("key-" + i);
            trees.changed(Math.floorMod(io.dkv.core.ring.KeyHash.of(key) >>> 40, partitions), key, null,
                    EntryVersion.of(new Version(1 + random.nextInt(1_000_000), 1)));
        }
        long full = trees.allocatedLeaves() * Long.BYTES;
        System.out.printf("merkle leaves, %d partitions: 0 keys %d B, 1,000,000 keys %d B (%.2f MiB)%n", partitions,
                idle, full, full / (double) (1 << 20));

        assertThat(idle).isZero();
        assertThat(full).isEqualTo((long) partitions * MerkleTrees.LEAVES * Long.BYTES).isLessThanOrEqualTo(2L << 20);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
