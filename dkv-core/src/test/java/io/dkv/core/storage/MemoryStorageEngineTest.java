package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.StorageFullException;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryStorageEngineTest extends StorageEngineContract {

    private static final long DEFAULT_SEED = 1;

    @Override
    protected StorageEngine open() {
        return MemoryStorageEngine.unlimited(PARTITIONS);
    }

    @Test
    void refusesWritesPastTheMemoryLimitButKeepsServing() {
        MemoryStorageEngine small = new MemoryStorageEngine(PARTITIONS, 100_000);
        small.merge(1, bytes("a"), Entry.value(new byte[60_000], new Version(1, 1)));

        assertThatThrownBy(() -> small.merge(1, bytes("b"), Entry.value(new byte[60_000], new Version(2, 1))))
                .isInstanceOf(StorageFullException.class)
                .hasMessageContaining("limit is 100000");
        assertThat(small.get(1, bytes("b"))).isNull();
        assertThat(small.get(1, bytes("a")).value()).hasSize(60_000);

        // A delete never grows the store, so it is accepted even when full, and frees room.
        small.merge(1, bytes("a"), Entry.tombstone(new Version(3, 1)));
        small.merge(1, bytes("b"), Entry.value(new byte[60_000], new Version(4, 1)));
        assertThat(small.get(1, bytes("b")).value()).hasSize(60_000);
    }

    @Test
    void refusedOverwriteLeavesTheOldValue() {
        MemoryStorageEngine small = new MemoryStorageEngine(PARTITIONS, 50_000);
        small.merge(1, bytes("a"), Entry.value(new byte[100], new Version(1, 1)));

        assertThatThrownBy(() -> small.merge(1, bytes("a"), Entry.value(new byte[60_000], new Version(2, 1))))
                .isInstanceOf(StorageFullException.class);
        assertThat(small.get(1, bytes("a")).version()).isEqualTo(new Version(1, 1));
    }

    /**
     * Bytes and counts follow what is stored through overwrites that shrink and grow values
     * (empty up to 1 MiB), tombstones, expiry registers of every shape, entries with hash
     * fields (kept boxed) and removals: after every step they equal the weights of the stored
     * entries, as {@link StorageAccounting#weight} counts them, and each entry reads back as merged.
     */
    @Test
    void bytesAndCountsFollowEveryShapeOfEntry() {
        long seed = Long.getLong("dkv.seed", DEFAULT_SEED);
        System.out.println("MemoryStorageEngineTest.bytesAndCountsFollowEveryShapeOfEntry seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        MemoryStorageEngine engine = MemoryStorageEngine.unlimited(PARTITIONS);
        Map<String, Entry> model = new HashMap<>();
        for (int step = 0; step < 1_000; step++) {
            String key = "k" + random.nextInt(40);
            Version version = new Version(step + 1, 1 + random.nextInt(3));
            Entry entry = switch (random.nextInt(8)) {
                case 0 -> Entry.tombstone(version);
                case 1 -> Entry.expiring(new byte[random.nextInt(300)], version, 1_000 + random.nextInt(1_000));
                case 2 -> Entry.keepingExpiry(new byte[random.nextInt(300)], version);
                case 3 -> Entry.expiryOnly(random.nextBoolean() ? Expiry.never(version) : Expiry.at(77, version));
                case 4 -> new Entry(null, Version.ZERO, Expiry.ABSENT,
                        HashFields.of(bytes("f" + random.nextInt(3)), new Field(new byte[random.nextInt(50)], version)));
                case 5 -> Entry.value(new byte[step % 250 == 0 ? 1 << 20 : 0], version);
                default -> Entry.value(new byte[random.nextInt(300)], version);
            };
            if (random.nextInt(20) == 0 && model.containsKey(key)) {
                Entry stored = model.get(key);
                assertThat(engine.removeIfVersion(key.hashCode() & (PARTITIONS - 1), bytes(key), stored.versions())).isTrue();
                model.remove(key);
            } else {
                engine.merge(key.hashCode() & (PARTITIONS - 1), bytes(key), entry);
                model.merge(key, entry, Entry::merge);
            }
            long bytes = 0;
            long values = 0;
            for (Map.Entry<String, Entry> each : model.entrySet()) {
                bytes += StorageAccounting.weight(bytes(each.getKey()), each.getValue());
                values += each.getValue().isTombstone() ? 0 : 1;
                assertThat(engine.get(each.getKey().hashCode() & (PARTITIONS - 1), bytes(each.getKey())))
                        .as("%s at step %d (seed %d)", each.getKey(), step, seed).isEqualTo(each.getValue());
            }
            assertThat(engine.bytes()).as("bytes at step %d (seed %d)", step, seed).isEqualTo(bytes);
            assertThat(engine.keyCount()).isEqualTo(values);
            assertThat(engine.tombstoneCount()).isEqualTo(model.size() - values);
        }
    }

    /**
     * Eight threads merge shuffled copies of the same versioned writes to a small set of keys
     * (so they collide constantly); the result must be the sequential merge of those writes.
     * The writes and shuffles come from a seed ({@value #DEFAULT_SEED}, or {@code -Ddkv.seed=S});
     * how the threads interleave is up to the machine.
     */
    @Test
    void concurrentMergesEndInTheSequentialResult() throws Exception {
        long seed = Long.getLong("dkv.seed", DEFAULT_SEED);
        System.out.println("MemoryStorageEngineTest.concurrentMergesEndInTheSequentialResult seed=" + seed
                + " (replay: mvn -pl dkv-core -am test -Dtest=MemoryStorageEngineTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Ddkv.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 200;
        int threads = 8;
        List<Object[]> writes = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            int key = random.nextInt(keys);
            boolean delete = random.nextInt(10) == 0;
            Version version = new Version(random.nextLong(1_000), 1 + random.nextInt(5));
            Entry entry = delete ? Entry.tombstone(version) : Entry.value(bytes("v" + random.nextInt(1_000_000)), version);
            writes.add(new Object[]{key, entry});
        }
        Map<Integer, Entry> expected = new HashMap<>();
        for (Object[] write : writes) {
            expected.merge((Integer) write[0], (Entry) write[1], Entry::merge);
        }

        MemoryStorageEngine engine = MemoryStorageEngine.unlimited(PARTITIONS);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Object[]> mine = new ArrayList<>(writes);
            Collections.shuffle(mine, new Random(seed + t));
            done.add(pool.submit(() -> {
                start.await();
                for (Object[] write : mine) {
                    int key = (Integer) write[0];
                    engine.merge(key % PARTITIONS, bytes("key" + key), (Entry) write[1]);
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
            assertThat(engine.get(e.getKey() % PARTITIONS, bytes("key" + e.getKey())))
                    .as("key%d (seed %d)", e.getKey(), seed).isEqualTo(e.getValue());
            live += e.getValue().isTombstone() ? 0 : 1;
        }
        assertThat(engine.keyCount()).isEqualTo(live);
        assertThat(engine.tombstoneCount()).isEqualTo(expected.size() - live);
    }
}
