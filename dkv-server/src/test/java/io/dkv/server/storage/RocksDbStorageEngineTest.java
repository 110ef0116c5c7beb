package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.StorageFullException;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.storage.StorageEngineContract;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import io.dkv.server.config.StorageSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storage contract on RocksDB, plus what only a durable engine must do: survive a restart. */
class RocksDbStorageEngineTest extends StorageEngineContract {

    @TempDir
    Path temp;

    @Override
    protected StorageEngine open() {
        return RocksDbTestSupport.open(temp.resolve("contract")).storageEngine(PARTITIONS);
    }

    private static void fill(StorageEngine engine, int keys) {
        for (int i = 0; i < keys; i++) {
            String key = "key-" + i;
            Entry entry = i % 10 == 0 ? Entry.tombstone(new Version(i + 1, 2)) : value("value-" + i, i + 1, 1);
            engine.merge(p(key), bytes(key), entry);
        }
    }

    private static void assertFilled(StorageEngine engine, int keys) {
        for (int i = 0; i < keys; i++) {
            String key = "key-" + i;
            Entry expected = i % 10 == 0 ? Entry.tombstone(new Version(i + 1, 2)) : value("value-" + i, i + 1, 1);
            assertThat(engine.get(p(key), bytes(key))).as(key).isEqualTo(expected);
        }
        assertThat(engine.keyCount()).isEqualTo(keys - (keys + 9) / 10);
        assertThat(engine.tombstoneCount()).isEqualTo((keys + 9) / 10);
        long[] perPartition = new long[PARTITIONS];
        for (int i = 0; i < keys; i++) {
            if (i % 10 != 0) {
                perPartition[p("key-" + i)]++;
            }
        }
        for (int partition = 0; partition < PARTITIONS; partition++) {
            assertThat(engine.keyCount(partition)).as("values of partition %d", partition).isEqualTo(perPartition[partition]);
        }
    }

    @Test
    void everythingIsThereAfterACleanCloseAndTheCountsNeedNoScan() {
        Path dir = temp.resolve("reopen");
        long bytes;
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            RocksDbStorageEngine first = store.storageEngine(PARTITIONS);
            assertThat(store.directory().isNew()).isTrue();
            fill(first, 2_000);
            bytes = first.bytes();
        }
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            RocksDbStorageEngine reopened = store.storageEngine(PARTITIONS);
            assertThat(store.directory().isNew()).isFalse();
            assertThat(store.directory().wasCleanShutdown()).isTrue();
            assertThat(reopened.recounted()).isFalse();
            assertFilled(reopened, 2_000);
            assertThat(reopened.bytes()).isEqualTo(bytes);
        }
    }

    /**
     * A directory holding only entries without expiry (format 1, byte for byte what dkv wrote
     * before expiry existed: EntryCodecTest) opens, and its keys then take expiry registers
     * that survive the next restart; the byte count follows the larger format.
     */
    @Test
    void aDirectoryWrittenBeforeExpiryOpensAndItsKeysTakeExpiry() {
        Path dir = temp.resolve("before-expiry");
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            fill(store.storageEngine(PARTITIONS), 200);
        }
        Expiry expiry = Expiry.at(1_700_000_060_000L, new Version(10_000, 3));
        long bytesBefore;
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            assertFilled(engine, 200);
            bytesBefore = engine.bytes();
            assertThat(engine.merge(p("key-1"), bytes("key-1"), Entry.expiryOnly(expiry)).applied()).isTrue();
            assertThat(engine.merge(p("key-2"), bytes("key-2"), Entry.keepingExpiry(bytes("kept"), new Version(10_001, 1)))
                    .applied()).isTrue();
        }
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            assertThat(engine.get(p("key-1"), bytes("key-1")))
                    .isEqualTo(new Entry(bytes("value-1"), new Version(2, 1), expiry));
            assertThat(engine.get(p("key-2"), bytes("key-2")))
                    .isEqualTo(new Entry(bytes("kept"), new Version(10_001, 1), Expiry.never(new Version(3, 1))));
            assertThat(engine.get(p("key-3"), bytes("key-3"))).isEqualTo(value("value-3", 4, 1));
            assertThat(engine.keyCount()).isEqualTo(180);
            assertThat(engine.bytes()).isEqualTo(bytesBefore + 4 - 7);
        }
    }

    @Test
    void afterAKillEverythingWrittenIsThereAndTheCountsAreRebuilt() {
        Path live = temp.resolve("live");
        Path crashed = temp.resolve("crashed");
        long bytes;
        try (RocksDbStore store = RocksDbTestSupport.open(live)) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            fill(engine, 2_000);
            bytes = engine.bytes();
            RocksDbTestSupport.copyAsAfterAKill(live, crashed);
        }
        try (RocksDbStore store = RocksDbTestSupport.open(crashed)) {
            RocksDbStorageEngine recovered = store.storageEngine(PARTITIONS);
            assertThat(store.directory().wasCleanShutdown()).isFalse();
            assertThat(store.directory().isNew()).isFalse();
            assertThat(recovered.recounted()).isTrue();
            assertFilled(recovered, 2_000);
            assertThat(recovered.bytes()).isEqualTo(bytes);
        }
    }

    @Test
    void aDifferentPartitionCountIteratesTheSameDataWithNewBounds() {
        Path dir = temp.resolve("repartition");
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            fill(store.storageEngine(PARTITIONS), 500);
        }
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            RocksDbStorageEngine engine = store.storageEngine(7);
            Ring sevenPartitions = Ring.initial(List.of(NodeId.of(1)), 1, 7, Ring.DEFAULT_SEED);
            int seen = 0;
            for (int partition = 0; partition < 7; partition++) {
                int p = partition;
                List<byte[]> keys = new ArrayList<>();
                engine.forEachEntry(partition, (key, entry) -> keys.add(key));
                for (byte[] key : keys) {
                    assertThat(sevenPartitions.partitionOf(key)).isEqualTo(p);
                }
                seen += keys.size();
            }
            assertThat(seen).isEqualTo(500);
        }
    }

    @Test
    void refusesABatchPastTheDiskLimitWholeAndStoresNothingOfIt() {
        StorageSettings settings = RocksDbTestSupport.settings(temp.resolve("batch-limit"), StorageSettings.Sync.PERIODIC,
                100_000);
        try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
            RocksDbStorageEngine small = store.storageEngine(PARTITIONS);
            String first = keyWhere("x", partition -> partition == 1);
            String second = keyWhere("y", partition -> partition == 1);
            small.merge(1, bytes(first), Entry.value(new byte[40_000], new Version(1, 1)));
            byte[][] keys = {bytes(first), bytes(second)};
            Entry[] entries = {Entry.value(new byte[50_000], new Version(2, 1)),
                    Entry.value(new byte[55_000], new Version(2, 1))};
            MergeResult[] results = new MergeResult[2];
            long before = small.bytes();

            assertThatThrownBy(() -> small.mergeAll(1, keys, entries, results)).isInstanceOf(StorageFullException.class);
            assertThat(results).containsOnlyNulls();
            assertThat(small.get(1, bytes(first)).value()).hasSize(40_000);
            assertThat(small.get(1, bytes(second))).isNull();
            assertThat(small.bytes()).isEqualTo(before);
        }
    }

    @Test
    void refusesWritesPastTheDiskLimitButKeepsServing() {
        StorageSettings settings = RocksDbTestSupport.settings(temp.resolve("limit"), StorageSettings.Sync.PERIODIC, 100_000);
        try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
            RocksDbStorageEngine small = store.storageEngine(PARTITIONS);
            small.merge(p("a"), bytes("a"), Entry.value(new byte[60_000], new Version(1, 1)));

            assertThatThrownBy(() -> small.merge(p("b"), bytes("b"), Entry.value(new byte[60_000], new Version(2, 1))))
                    .isInstanceOf(StorageFullException.class)
                    .hasMessageContaining("limit is 100000");
            assertThat(small.get(p("b"), bytes("b"))).isNull();
            assertThat(small.get(p("a"), bytes("a")).value()).hasSize(60_000);

            small.merge(p("a"), bytes("a"), Entry.tombstone(new Version(3, 1)));
            small.merge(p("b"), bytes("b"), Entry.value(new byte[60_000], new Version(4, 1)));
            assertThat(small.get(p("b"), bytes("b")).value()).hasSize(60_000);
        }
    }

    @Test
    void syncAlwaysStoresAndReopensTheSame() {
        Path dir = temp.resolve("always");
        StorageSettings settings = RocksDbTestSupport.settings(dir, StorageSettings.Sync.ALWAYS, 0);
        try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
            fill(store.storageEngine(PARTITIONS), 200);
        }
        try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
            assertFilled(store.storageEngine(PARTITIONS), 200);
        }
    }

    @Test
    void syncAlwaysAnswersAWriteAfterAnFsyncSharedByConcurrentWriters() throws Exception {
        StorageSettings settings = RocksDbTestSupport.settings(temp.resolve("group"), StorageSettings.Sync.ALWAYS, 0);
        try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            int writers = 8;
            int writesEach = 50;
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Thread thread = new Thread(() -> {
                    try {
                        for (int i = 0; i < writesEach; i++) {
                            String key = "w" + writer + "-" + i;
                            long before = store.walSyncs();
                            engine.merge(p(key), bytes(key), value("v", i + 1, 1));
                            engine.whenDurable().get(30, TimeUnit.SECONDS);
                            assertThat(store.walSyncs()).as("answered only after an fsync").isGreaterThan(before);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertThat(store.walSyncs()).isBetween(1L, (long) writers * writesEach);
        }
    }

    @Test
    void periodicSyncAnswersAWriteAtOnce() {
        try (RocksDbStore store = RocksDbTestSupport.open(temp.resolve("periodic-answer"))) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            engine.merge(p("k"), bytes("k"), value("v", 1, 1));
            assertThat(engine.whenDurable()).isCompleted();
        }
    }

    @Test
    void periodicSyncFsyncsTheLogAfterWritesAndOnlyThen() {
        try (RocksDbStore store = RocksDbTestSupport.open(temp.resolve("periodic"))) {
            RocksDbStorageEngine engine = store.storageEngine(PARTITIONS);
            engine.merge(p("k"), bytes("k"), value("v", 1, 1));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.walSyncs() >= 1);
            long afterWrite = store.walSyncs();
            // Several intervals (50 ms each) with nothing written: no further fsync.
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> store.walSyncs() == afterWrite);
            engine.merge(p("k"), bytes("k"), value("v2", 2, 1));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.walSyncs() > afterWrite);
        }
    }

    @Test
    void aClosedEngineFailsClearlyInsteadOfCrashing() {
        RocksDbStore store = RocksDbTestSupport.open(temp.resolve("closed"));
        RocksDbStorageEngine closed = store.storageEngine(PARTITIONS);
        closed.close();
        closed.close();

        assertThatThrownBy(() -> closed.get(p("k"), bytes("k"))).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
    }

    /** Threads merge shuffled copies of the same writes to a few keys; the result is the sequential merge. */
    @Test
    void concurrentMergesEndInTheSequentialResult() throws Exception {
        long seed = System.nanoTime();
        System.out.println("concurrentMergesEndInTheSequentialResult seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 100;
        int threads = 4;
        List<Object[]> writes = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            int key = random.nextInt(keys);
            Version version = new Version(random.nextLong(1_000), 1 + random.nextInt(5));
            Entry entry = random.nextInt(10) == 0 ? Entry.tombstone(version)
                    : Entry.value(bytes("v" + random.nextInt(1_000_000)), version);
            writes.add(new Object[]{key, entry});
        }
        Map<Integer, Entry> expected = new HashMap<>();
        for (Object[] write : writes) {
            expected.merge((Integer) write[0], (Entry) write[1], Entry::merge);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Object[]> mine = new ArrayList<>(writes);
            Collections.shuffle(mine, new Random(seed + t));
            done.add(pool.submit(() -> {
                start.await();
                for (Object[] write : mine) {
                    String key = "key" + write[0];
                    engine.merge(p(key), bytes(key), (Entry) write[1]);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        long live = 0;
        for (Map.Entry<Integer, Entry> e : expected.entrySet()) {
            String key = "key" + e.getKey();
            assertThat(engine.get(p(key), bytes(key))).as("%s (seed %d)", key, seed).isEqualTo(e.getValue());
            live += e.getValue().isTombstone() ? 0 : 1;
        }
        assertThat(engine.keyCount()).isEqualTo(live);
        assertThat(engine.tombstoneCount()).isEqualTo(expected.size() - live);
    }
}
