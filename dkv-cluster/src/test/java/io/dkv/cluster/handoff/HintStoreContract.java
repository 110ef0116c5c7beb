package io.dkv.cluster.handoff;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules every {@link HintStore} must follow: one hint per (target, key) with the newest
 * entry winning, bounds on count and bytes, removal of only the exact version replayed, and
 * expiry by the time a hint for the key was first kept. An implementation's test extends
 * this class and says how to open an empty store; hints carry their key's partition on a
 * ring of {@link #PARTITIONS} partitions ({@link #partitionOf}).
 */
public abstract class HintStoreContract {

    protected static final int PARTITIONS = 16;
    private static final Ring RING = Ring.initial(List.of(NodeId.of(1)), 1, PARTITIONS, Ring.DEFAULT_SEED);

    protected static final NodeId N2 = NodeId.of(2);
    protected static final NodeId N3 = NodeId.of(3);

    /** Opens an empty store with these bounds. */
    protected abstract HintStore open(int maxHints, long maxBytes);

    protected static int partitionOf(byte[] key) {
        return RING.partitionOf(key);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static Hint hint(NodeId target, String key, long stamp, long storedAt) {
        return new Hint(target, partitionOf(bytes(key)), bytes(key),
                Entry.value(bytes("v" + stamp), new Version(stamp, 1)), storedAt);
    }

    private static Entry get(HintStore store, NodeId target, String key) {
        return store.get(target, partitionOf(bytes(key)), bytes(key));
    }

    @Test
    void keepsOneHintPerTargetAndKeyTheNewestWinning() {
        HintStore store = open(100, 1 << 20);
        assertThat(store.store(hint(N2, "k", 5, 0))).isTrue();
        assertThat(store.store(hint(N2, "k", 9, 1))).isTrue();
        assertThat(store.store(hint(N2, "k", 7, 2))).as("an older entry is covered by the newer one kept").isTrue();
        store.store(hint(N3, "k", 1, 3));

        assertThat(get(store, N2, "k")).isEqualTo(Entry.value(bytes("v9"), new Version(9, 1)));
        assertThat(get(store, N3, "k").version().stamp()).isEqualTo(1);
        assertThat(get(store, N2, "absent")).isNull();
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.countsByTarget()).isEqualTo(Map.of(N2, 1, N3, 1));
    }

    @Test
    void aTombstoneIsKeptLikeAValue() {
        HintStore store = open(100, 1 << 20);
        store.store(hint(N2, "k", 5, 0));
        store.store(new Hint(N2, partitionOf(bytes("k")), bytes("k"), Entry.tombstone(new Version(6, 2)), 0));

        assertThat(get(store, N2, "k")).isEqualTo(Entry.tombstone(new Version(6, 2)));
    }

    @Test
    void refusesHintsPastItsCountAndByteBounds() {
        HintStore byCount = open(2, 1 << 20);
        assertThat(byCount.store(hint(N2, "a", 1, 0))).isTrue();
        assertThat(byCount.store(hint(N2, "b", 1, 0))).isTrue();
        assertThat(byCount.store(hint(N2, "c", 1, 0))).isFalse();
        assertThat(byCount.store(hint(N2, "a", 2, 0))).as("replacing an existing hint does not add one").isTrue();
        assertThat(byCount.count()).isEqualTo(2);

        HintStore byBytes = open(100, 200);
        assertThat(byBytes.store(hint(N2, "a", 1, 0))).isTrue();
        Hint big = new Hint(N2, partitionOf(bytes("big")), bytes("big"), Entry.value(new byte[500], new Version(1, 1)), 0);
        assertThat(byBytes.store(big)).isFalse();
        assertThat(get(byBytes, N2, "big")).isNull();
    }

    @Test
    void removesOnlyTheVersionThatWasReplayed() {
        HintStore store = open(100, 1 << 20);
        store.store(hint(N2, "k", 5, 0));
        store.store(hint(N2, "k", 6, 0));

        assertThat(store.remove(N2, bytes("k"), EntryVersion.of(new Version(5, 1)))).isFalse();
        assertThat(store.remove(N3, bytes("k"), EntryVersion.of(new Version(6, 1)))).as("another target's hint").isFalse();
        assertThat(store.remove(N2, bytes("k"), EntryVersion.of(new Version(6, 1)))).isTrue();
        assertThat(store.remove(N2, bytes("k"), EntryVersion.of(new Version(6, 1)))).isFalse();
        assertThat(store.count()).isZero();
        assertThat(store.bytes()).isZero();
        assertThat(store.countsByTarget()).isEmpty();
    }

    @Test
    void bytesFollowTheHintsKept() {
        HintStore store = open(100, 1 << 20);
        Hint first = hint(N2, "k", 5, 0);
        store.store(first);
        assertThat(store.bytes()).isEqualTo(first.sizeBytes());
        Hint bigger = new Hint(N2, partitionOf(bytes("k")), bytes("k"), Entry.value(new byte[100], new Version(6, 1)), 0);
        store.store(bigger);
        assertThat(store.bytes()).isEqualTo(bigger.sizeBytes());
    }

    @Test
    void expiresHintsOlderThanTheWindowCountingFromTheFirstStore() {
        HintStore store = open(100, 1 << 20);
        store.store(hint(N2, "old", 1, 1_000));
        store.store(hint(N2, "old", 2, 9_000));
        store.store(hint(N2, "young", 1, 8_000));

        assertThat(store.expire(5_000)).isEqualTo(1);
        assertThat(get(store, N2, "old")).isNull();
        assertThat(get(store, N2, "young")).isNotNull();
        assertThat(store.expire(5_000)).isZero();
        assertThat(store.expire(8_001)).isEqualTo(1);
        assertThat(store.count()).isZero();
    }

    @Test
    void batchesHintsPerTargetWithTheirKeysAndPartitions() {
        HintStore store = open(100, 1 << 20);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            store.store(hint(N2, "k" + i, 1, 0));
            keys.add("k" + i);
        }
        store.store(hint(N3, "other", 1, 0));

        assertThat(store.batch(N2, 4)).hasSize(4).allMatch(h -> h.target().equals(N2));
        List<Hint> all = store.batch(N2, 100);
        assertThat(all).hasSize(10);
        Set<String> seen = new HashSet<>();
        for (Hint hint : all) {
            seen.add(new String(hint.key(), StandardCharsets.UTF_8));
            assertThat(hint.partition()).isEqualTo(partitionOf(hint.key()));
            assertThat(hint.entry()).isEqualTo(Entry.value(bytes("v1"), new Version(1, 1)));
        }
        assertThat(seen).isEqualTo(keys);
        assertThat(store.batch(NodeId.of(9), 10)).isEmpty();
    }

    /** Threads store shuffled versions of the same keys; each key ends with its newest, counted once. */
    @Test
    void concurrentStoresKeepTheNewestOnce() throws Exception {
        HintStore store = open(10_000, 1 << 26);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                    int stamp = stampOf(i, offset);
                    store.store(hint(N2, "k" + (i % 100), stamp, i));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store.count()).isEqualTo(100);
        assertThat(store.countsByTarget()).isEqualTo(Map.of(N2, 100));
        for (int k = 0; k < 100; k++) {
            int newest = 0;
            for (int t = 0; t < threads; t++) {
                for (int i = k; i < 2_000; i += 100) {
                    newest = Math.max(newest, stampOf(i, t));
                }
            }
            assertThat(get(store, N2, "k" + k).version().stamp()).as("k%d", k).isEqualTo(newest);
        }
    }

    private static int stampOf(int write, int thread) {
        return (write / 100 * 7 + thread * 13) % 50 + 1;
    }
}
