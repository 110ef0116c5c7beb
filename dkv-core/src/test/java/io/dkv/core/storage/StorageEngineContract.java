package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules every {@link StorageEngine} must follow. An engine's test extends this class and
 * says how to open an engine with {@link #PARTITIONS} partitions. Every key is stored under
 * its ring partition ({@link #partitionOf}), as callers do, so engines that locate a
 * partition's keys by their hash pass the same suite.
 */
public abstract class StorageEngineContract {

    protected static final int PARTITIONS = 16;

    /** A ring of one node with {@link #PARTITIONS} partitions: its partition of a key is the real mapping. */
    private static final Ring RING = Ring.initial(List.of(NodeId.of(1)), 1, PARTITIONS, Ring.DEFAULT_SEED);

    protected StorageEngine engine;

    /** Opens a fresh, empty engine. */
    protected abstract StorageEngine open();

    @BeforeEach
    void openEngine() {
        engine = open();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** The ring partition of a key, for an engine with {@link #PARTITIONS} partitions. */
    protected static int partitionOf(byte[] key) {
        return RING.partitionOf(key);
    }

    protected static int p(String key) {
        return partitionOf(bytes(key));
    }

    /** The first key {@code prefix0}, {@code prefix1}, ... that falls in a partition {@code accept} takes. */
    protected static String keyWhere(String prefix, IntPredicate accept) {
        for (int i = 0; ; i++) {
            if (accept.test(p(prefix + i))) {
                return prefix + i;
            }
        }
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static Entry value(String text, long stamp, int node) {
        return Entry.value(bytes(text), new Version(stamp, node));
    }

    @Test
    void absentKeyReadsAsNull() {
        assertThat(engine.get(p("nothing"), bytes("nothing"))).isNull();
    }

    @Test
    void storesAndReturnsAnEntryByKeyContent() {
        MergeResult result = engine.merge(p("k"), bytes("k"), value("v1", 10, 1));

        assertThat(result.applied()).isTrue();
        assertThat(result.previous()).isNull();
        assertThat(engine.get(p("k"), bytes("k"))).isEqualTo(value("v1", 10, 1));
    }

    @Test
    void newerVersionReplacesOlder() {
        engine.merge(p("k"), bytes("k"), value("old", 10, 1));
        MergeResult result = engine.merge(p("k"), bytes("k"), value("new", 11, 1));

        assertThat(result.applied()).isTrue();
        assertThat(result.previous()).isEqualTo(value("old", 10, 1));
        assertThat(result.hadValue()).isTrue();
        assertThat(engine.get(p("k"), bytes("k"))).isEqualTo(value("new", 11, 1));
    }

    @Test
    void olderVersionIsIgnoredAndReported() {
        engine.merge(p("k"), bytes("k"), value("new", 11, 1));
        MergeResult result = engine.merge(p("k"), bytes("k"), value("old", 10, 2));

        assertThat(result.applied()).isFalse();
        assertThat(engine.get(p("k"), bytes("k"))).isEqualTo(value("new", 11, 1));
    }

    @Test
    void sameStampIsOrderedByNode() {
        engine.merge(p("k"), bytes("k"), value("from-n2", 10, 2));
        engine.merge(p("k"), bytes("k"), value("from-n1", 10, 1));

        assertThat(engine.get(p("k"), bytes("k"))).isEqualTo(value("from-n2", 10, 2));
    }

    @Test
    void mergingTheSameEntryTwiceChangesNothing() {
        engine.merge(p("k"), bytes("k"), value("v", 10, 1));
        MergeResult again = engine.merge(p("k"), bytes("k"), value("v", 10, 1));

        assertThat(again.applied()).isFalse();
        assertThat(engine.keyCount()).isEqualTo(1);
    }

    @Test
    void tombstoneWinsLikeAWriteAndIsCountedApart() {
        engine.merge(p("k"), bytes("k"), value("v", 10, 1));
        engine.merge(p("k"), bytes("k"), Entry.tombstone(new Version(12, 1)));

        assertThat(engine.get(p("k"), bytes("k")).isTombstone()).isTrue();
        assertThat(engine.keyCount()).isZero();
        assertThat(engine.tombstoneCount()).isEqualTo(1);

        engine.merge(p("k"), bytes("k"), value("stale", 11, 3));
        assertThat(engine.get(p("k"), bytes("k")).isTombstone()).isTrue();
    }

    @Test
    void removeIfVersionRemovesOnlyThatVersion() {
        Version tombstone = new Version(12, 1);
        engine.merge(p("k"), bytes("k"), Entry.tombstone(tombstone));

        assertThat(engine.removeIfVersion(p("k"), bytes("k"), Entry.tombstone(new Version(11, 1)).versions())).isFalse();
        assertThat(engine.get(p("k"), bytes("k"))).isNotNull();
        assertThat(engine.removeIfVersion(p("k"), bytes("k"), Entry.tombstone(tombstone).versions())).isTrue();
        assertThat(engine.get(p("k"), bytes("k"))).isNull();
        assertThat(engine.tombstoneCount()).isZero();
        assertThat(engine.removeIfVersion(p("k"), bytes("k"), Entry.tombstone(tombstone).versions())).isFalse();
    }

    /** The value and the expiry merge apart: an expiry write keeps the value, a KEEPTTL write keeps the expiry. */
    @Test
    void registersMergeApartAndRemovalNeedsBothVersions() {
        int partition = p("k");
        engine.merge(partition, bytes("k"), Entry.value(bytes("v1"), new Version(5, 1)));
        assertThat(engine.merge(partition, bytes("k"), Entry.expiryOnly(Expiry.at(9_000, new Version(7, 2)))).applied())
                .isTrue();
        assertThat(engine.get(partition, bytes("k"))).isEqualTo(new Entry(bytes("v1"), new Version(5, 1),
                Expiry.at(9_000, new Version(7, 2))));
        assertThat(engine.merge(partition, bytes("k"), Entry.keepingExpiry(bytes("v2"), new Version(8, 1))).applied())
                .isTrue();
        // An older whole write loses in both registers; an older expiry write changes nothing.
        assertThat(engine.merge(partition, bytes("k"), Entry.value(bytes("v0"), new Version(6, 3))).applied()).isFalse();
        assertThat(engine.merge(partition, bytes("k"), Entry.expiryOnly(Expiry.never(new Version(6, 3)))).applied())
                .isFalse();
        Entry stored = engine.get(partition, bytes("k"));
        assertThat(stored).isEqualTo(new Entry(bytes("v2"), new Version(8, 1), Expiry.at(9_000, new Version(7, 2))));
        assertThat(engine.keyCount()).isEqualTo(1);

        assertThat(engine.removeIfVersion(partition, bytes("k"), Entry.value(bytes("v2"), new Version(8, 1)).versions()))
                .as("the value's version alone is not enough").isFalse();
        assertThat(engine.removeIfVersion(partition, bytes("k"), stored.versions())).isTrue();
        assertThat(engine.get(partition, bytes("k"))).isNull();
    }

    @Test
    void partitionsAreSeparateAndIterable() {
        String a = keyWhere("a", partition -> true);
        String b = keyWhere("b", partition -> partition == p(a));
        String c = keyWhere("c", partition -> partition != p(a));
        int empty = p(a) == 0 || p(c) == 0 ? (p(a) == 1 || p(c) == 1 ? 2 : 1) : 0;
        engine.merge(p(a), bytes(a), value("1", 1, 1));
        engine.merge(p(b), bytes(b), value("2", 1, 1));
        engine.merge(p(c), bytes(c), value("3", 1, 1));

        Map<String, Entry> partitionOfA = new HashMap<>();
        engine.forEachEntry(p(a), (key, entry) -> partitionOfA.put(new String(key, StandardCharsets.UTF_8), entry));
        List<String> partitionOfC = new ArrayList<>();
        engine.forEachEntry(p(c), (key, entry) -> partitionOfC.add(new String(key, StandardCharsets.UTF_8)));
        List<String> emptyPartition = new ArrayList<>();
        engine.forEachEntry(empty, (key, entry) -> emptyPartition.add(new String(key, StandardCharsets.UTF_8)));

        assertThat(partitionOfA).containsOnlyKeys(a, b);
        assertThat(partitionOfA.get(b)).isEqualTo(value("2", 1, 1));
        assertThat(partitionOfC).containsExactly(c);
        assertThat(emptyPartition).isEmpty();
        assertThat(engine.keyCount()).isEqualTo(3);
    }

    @Test
    void everyPartitionIteratesExactlyItsOwnKeys() {
        Map<Integer, List<String>> expected = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            String key = "key-" + i;
            engine.merge(p(key), bytes(key), value("v" + i, 1, 1));
            expected.computeIfAbsent(p(key), partition -> new ArrayList<>()).add(key);
        }
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<String> seen = new ArrayList<>();
            engine.forEachEntry(partition, (key, entry) -> seen.add(new String(key, StandardCharsets.UTF_8)));
            assertThat(seen).as("partition %d", partition)
                    .containsExactlyInAnyOrderElementsOf(expected.getOrDefault(partition, List.of()));
        }
    }

    @Test
    void scanAfterVisitsAPartitionInStreamOrderAndResumesAfterAnyKey() {
        Map<Integer, List<byte[]>> expected = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            byte[] key = bytes("scan-" + i);
            engine.merge(partitionOf(key), key, value("v" + i, 1, 1));
            expected.computeIfAbsent(partitionOf(key), partition -> new ArrayList<>()).add(key);
        }
        byte[] deleted = expected.get(p("scan-0")).get(0);
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<byte[]> sorted = new ArrayList<>(expected.getOrDefault(partition, List.of()));
            sorted.sort(StreamOrder::compare);
            List<String> whole = new ArrayList<>();
            engine.scanAfter(partition, null, (key, entry) -> whole.add(new String(key, StandardCharsets.UTF_8)));
            assertThat(whole).as("partition %d in one scan", partition).containsExactlyElementsOf(strings(sorted));

            List<String> chunked = new ArrayList<>();
            byte[][] after = {null};
            boolean more = true;
            while (more) {
                int[] taken = {0};
                engine.scanAfter(partition, after[0], (key, entry) -> {
                    chunked.add(new String(key, StandardCharsets.UTF_8));
                    after[0] = key;
                    return ++taken[0] < 7;
                });
                more = taken[0] == 7;
            }
            assertThat(chunked).as("partition %d in chunks of 7", partition).containsExactlyElementsOf(strings(sorted));
        }
        int partition = p("scan-0");
        List<byte[]> sorted = new ArrayList<>(expected.get(partition));
        sorted.sort(StreamOrder::compare);
        int index = sorted.indexOf(deleted);
        engine.removeIfVersion(partition, deleted, Entry.tombstone(new Version(1, 1)).versions());
        List<String> afterRemoved = new ArrayList<>();
        engine.scanAfter(partition, deleted, (key, entry) -> afterRemoved.add(new String(key, StandardCharsets.UTF_8)));
        assertThat(afterRemoved).as("resuming after a key removed meanwhile")
                .containsExactlyElementsOf(strings(sorted.subList(index + 1, sorted.size())));
    }

    @Test
    void scanFromStartsAtAHashInsideAPartition() {
        Map<Integer, List<byte[]>> expected = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            byte[] key = bytes("from-" + i);
            engine.merge(partitionOf(key), key, value("v" + i, 1, 1));
            expected.computeIfAbsent(partitionOf(key), partition -> new ArrayList<>()).add(key);
        }
        for (var each : expected.entrySet()) {
            List<byte[]> sorted = new ArrayList<>(each.getValue());
            sorted.sort(StreamOrder::compare);
            for (int start = 0; start < sorted.size(); start += 3) {
                long fromHash = io.dkv.core.ring.KeyHash.of(sorted.get(start));
                List<String> seen = new ArrayList<>();
                engine.scanFrom(each.getKey(), fromHash, (key, entry) -> seen.add(new String(key, StandardCharsets.UTF_8)));
                assertThat(seen).as("partition %d from key %d", each.getKey(), start)
                        .containsExactlyElementsOf(strings(sorted.subList(start, sorted.size())));
            }
            List<String> all = new ArrayList<>();
            engine.scanFrom(each.getKey(), 0, (key, entry) -> all.add(new String(key, StandardCharsets.UTF_8)));
            assertThat(all).containsExactlyElementsOf(strings(sorted));
        }
    }

    private static List<String> strings(List<byte[]> keys) {
        List<String> text = new ArrayList<>();
        keys.forEach(key -> text.add(new String(key, StandardCharsets.UTF_8)));
        return text;
    }

    @Test
    void forEachDeadBeforeVisitsTombstonesAndExpiredEntriesOnly() {
        int partition = p("live");
        Version at1000 = new Version(HybridLogicalClock.stampOf(1_000), 1);
        Version at5000 = new Version(HybridLogicalClock.stampOf(5_000), 1);
        Map<String, Entry> stored = new HashMap<>();
        stored.put(keyWhere("live", k -> k == partition), Entry.value(bytes("v"), at1000));
        stored.put(keyWhere("persisted", k -> k == partition), new Entry(bytes("v"), at1000, Expiry.never(at5000)));
        stored.put(keyWhere("deletedLate", k -> k == partition), Entry.tombstone(at5000));
        stored.put(keyWhere("expiresLate", k -> k == partition), Entry.expiring(bytes("v"), at1000, 9_000));
        stored.put(keyWhere("expiredButWrittenLate", k -> k == partition), new Entry(bytes("v"), at1000, Expiry.at(1_500, at5000)));
        Map<String, Entry> expected = Map.of(
                keyWhere("deleted", k -> k == partition), Entry.tombstone(at1000),
                keyWhere("expired", k -> k == partition), Entry.expiring(bytes("v"), at1000, 2_000));
        stored.putAll(expected);
        stored.forEach((key, entry) -> engine.merge(partition, bytes(key), entry));

        Map<String, Entry> visited = new HashMap<>();
        engine.forEachDeadBefore(partition, 3_000, (key, entry) -> visited.put(new String(key, StandardCharsets.UTF_8), entry));

        assertThat(visited).isEqualTo(expected);
    }

    @Test
    void bytesGrowWithDataAndShrinkOnDelete() {
        long empty = engine.bytes();
        engine.merge(p("k"), bytes("k"), Entry.value(new byte[10_000], new Version(1, 1)));
        long full = engine.bytes();
        engine.merge(p("k"), bytes("k"), Entry.tombstone(new Version(2, 1)));

        assertThat(full).isGreaterThanOrEqualTo(empty + 10_000);
        assertThat(engine.bytes()).isLessThan(full);
    }

    @Test
    void emptyKeyAndEmptyValueAreOrdinaryData() {
        engine.merge(partitionOf(new byte[0]), new byte[0], Entry.value(new byte[0], new Version(1, 1)));

        Entry stored = engine.get(partitionOf(new byte[0]), new byte[0]);
        assertThat(stored).isNotNull();
        assertThat(stored.isTombstone()).isFalse();
        assertThat(stored.value()).isEmpty();
    }

    @Test
    void largeKeysAndValuesRoundTrip() {
        byte[] key = new byte[1 << 20];
        byte[] value = new byte[1 << 20];
        key[12345] = 7;
        value[54321] = 9;
        engine.merge(partitionOf(key), key, Entry.value(value, new Version(5, 1)));

        byte[] sameKey = key.clone();
        assertThat(engine.get(partitionOf(sameKey), sameKey).value()).isEqualTo(value);
    }

    /** {@code count} keys of one partition, all of one length: {@code prefix000000}, ... */
    private static List<byte[]> keysOf(String prefix, int partition, int count) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            byte[] key = bytes(String.format("%s%06d", prefix, i));
            if (partitionOf(key) == partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** What the batch tests store first: key i holds a newer entry (i % 3 == 0), an older one (1) or nothing (2). */
    private void prestore(int partition, List<byte[]> keys) {
        for (int i = 0; i < keys.size(); i++) {
            if (i % 3 == 0) {
                engine.merge(partition, keys.get(i), value("kept" + i, 100, 1));
            } else if (i % 3 == 1) {
                engine.merge(partition, keys.get(i), value("replaced" + i, 1, 1));
            }
        }
    }

    /** Key i's entry in a batch: a tombstone for every fifth key, a value otherwise, all at stamp 50. */
    private static Entry batchEntry(int i) {
        return i % 5 == 0 ? Entry.tombstone(new Version(50, 2)) : value("streamed" + i, 50, 2);
    }

    /** A flush's batch removal: exactly the keys still at the version given go, counted as they go. */
    @Test
    void removeAllIfVersionRemovesOnlyTheKeysStillAtTheirVersion() {
        int count = 300; // more than an engine may take under one lock set
        List<byte[]> keys = keysOf("r", 3, count);
        EntryVersion[] versions = new EntryVersion[count];
        for (int i = 0; i < count; i++) {
            engine.merge(3, keys.get(i), i % 5 == 4 ? Entry.tombstone(new Version(7, 1)) : value("v" + i, 7, 1));
            versions[i] = engine.get(3, keys.get(i)).versions();
            if (i % 3 == 1) {
                engine.merge(3, keys.get(i), value("newer" + i, 8, 1));
            }
        }
        long valuesBefore = engine.keyCount(3);
        boolean[] removed = new boolean[count];
        engine.removeAllIfVersion(3, keys.toArray(new byte[0][]), versions, removed);

        long expectedValuesGone = 0;
        for (int i = 0; i < count; i++) {
            boolean stale = i % 3 == 1;
            assertThat(removed[i]).as("key %d removed", i).isEqualTo(!stale);
            assertThat(engine.get(3, keys.get(i))).as("key %d", i).matches(entry -> stale == (entry != null));
            if (!stale && i % 5 != 4) {
                expectedValuesGone++;
            }
        }
        assertThat(engine.keyCount(3)).isEqualTo(valuesBefore - expectedValuesGone).isEqualTo(engine.keyCount());
        assertThat(engine.tombstoneCount()).isZero();
    }

    /** What DBSIZE reads: each partition's count of values follows merges, batches and removals. */
    @Test
    void eachPartitionCountsItsValuesAsAScanWould() {
        for (int i = 0; i < 200; i++) {
            engine.merge(p("counted-" + i), bytes("counted-" + i), value("v", 1, 1));
        }
        for (int i = 0; i < 200; i += 4) {
            engine.merge(p("counted-" + i), bytes("counted-" + i), Entry.tombstone(new Version(2, 1)));
        }
        for (int i = 1; i < 200; i += 4) {
            assertThat(engine.removeIfVersion(p("counted-" + i), bytes("counted-" + i),
                    engine.get(p("counted-" + i), bytes("counted-" + i)).versions())).isTrue();
        }
        String batchKey = keyWhere("batched-", partition -> partition == 7);
        MergeResult[] results = new MergeResult[1];
        engine.mergeAll(7, new byte[][]{bytes(batchKey)}, new Entry[]{value("v", 1, 1)}, results);

        long total = 0;
        for (int partition = 0; partition < PARTITIONS; partition++) {
            long[] scanned = {0};
            engine.forEachEntry(partition, (key, entry) -> scanned[0] += entry.isTombstone() ? 0 : 1);
            assertThat(engine.keyCount(partition)).as("values of partition %d", partition).isEqualTo(scanned[0]);
            total += scanned[0];
        }
        assertThat(total).isEqualTo(200 - 50 - 50 + 1).isEqualTo(engine.keyCount());
    }

    @Test
    void mergeAllDoesWhatMergingEachKeyDoes() {
        // More keys than an engine may take under one lock set, with every case mixed in.
        int count = 300;
        List<byte[]> batched = keysOf("a", 3, count);
        List<byte[]> oneByOne = keysOf("b", 5, count);
        prestore(3, batched);
        prestore(5, oneByOne);
        Entry[] entries = new Entry[count];
        for (int i = 0; i < count; i++) {
            entries[i] = batchEntry(i);
        }

        long[] before = {engine.keyCount(), engine.tombstoneCount(), engine.bytes()};
        MergeResult[] results = new MergeResult[count];
        engine.mergeAll(3, batched.toArray(new byte[0][]), entries, results);
        long[] afterBatch = {engine.keyCount(), engine.tombstoneCount(), engine.bytes()};
        MergeResult[] expected = new MergeResult[count];
        for (int i = 0; i < count; i++) {
            expected[i] = engine.merge(5, oneByOne.get(i), entries[i]);
        }
        long[] afterSingles = {engine.keyCount(), engine.tombstoneCount(), engine.bytes()};

        for (int i = 0; i < count; i++) {
            assertThat(results[i]).as("result of key %d", i).isEqualTo(expected[i]);
            assertThat(results[i].applied()).as("key %d applied", i).isEqualTo(i % 3 != 0);
            assertThat(engine.get(3, batched.get(i))).as("key %d", i).isEqualTo(engine.get(5, oneByOne.get(i)));
        }
        for (int counter = 0; counter < 3; counter++) {
            assertThat(afterBatch[counter] - before[counter]).as("counter %d", counter)
                    .isEqualTo(afterSingles[counter] - afterBatch[counter]);
        }
        List<byte[]> scanned = new ArrayList<>();
        engine.forEachEntry(3, (key, entry) -> scanned.add(key));
        assertThat(scanned).hasSize(count);
    }

    @Test
    void mergeAllOfNothingNewerWritesNothing() {
        List<byte[]> keys = keysOf("c", 7, 10);
        Entry[] entries = new Entry[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            engine.merge(7, keys.get(i), value("v" + i, 10, 1));
            entries[i] = value("older" + i, 9, 1);
        }
        long bytesBefore = engine.bytes();
        MergeResult[] results = new MergeResult[keys.size()];
        engine.mergeAll(7, keys.toArray(new byte[0][]), entries, results);

        for (int i = 0; i < keys.size(); i++) {
            assertThat(results[i].applied()).isFalse();
            assertThat(results[i].previous()).isEqualTo(value("v" + i, 10, 1));
            assertThat(engine.get(7, keys.get(i))).isEqualTo(value("v" + i, 10, 1));
        }
        assertThat(engine.bytes()).isEqualTo(bytesBefore);
        engine.mergeAll(7, new byte[0][], new Entry[0], new MergeResult[0]);
    }

    @Test
    void mergeAllRacingSingleMergesOfTheSameKeysKeepsTheNewestOfEach() throws Exception {
        List<byte[]> keys = keysOf("d", 9, 200);
        int rounds = 6;
        Thread singles = new Thread(() -> {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < keys.size(); i++) {
                    // Odd stamps from the single merges, even ones from the batches.
                    engine.merge(9, keys.get(i), value("single" + round, 2L * round + 1, 1));
                }
            }
        });
        singles.start();
        byte[][] batch = keys.toArray(new byte[0][]);
        for (int round = 0; round < rounds; round++) {
            Entry[] entries = new Entry[batch.length];
            for (int i = 0; i < batch.length; i++) {
                entries[i] = value("batch" + round, 2L * round + 2, 2);
            }
            engine.mergeAll(9, batch, entries, new MergeResult[batch.length]);
        }
        singles.join();

        for (byte[] key : keys) {
            assertThat(engine.get(9, key)).isEqualTo(value("batch" + (rounds - 1), 2L * rounds, 2));
        }
        assertThat(engine.keyCount()).isEqualTo(keys.size());
    }
}
