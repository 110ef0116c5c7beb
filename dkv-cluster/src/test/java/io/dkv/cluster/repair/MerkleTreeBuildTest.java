package io.dkv.cluster.repair;

import io.dkv.core.Entry;
import io.dkv.core.storage.EntryVisitor;
import io.dkv.core.storage.ForwardingStorageEngine;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trees built after the fact, while writes continue, must equal trees built from scratch
 * over what the storage finally holds: a write racing a partition's scan is counted once.
 */
class MerkleTreeBuildTest {

    private static final int PARTITIONS = 4;

    /** One step of a history: a write (merge or purge) or the build of one partition's tree. */
    sealed interface Step permits Merge, Purge, Build {
    }

    record Merge(int partition, int key, Entry entry) implements Step {
    }

    /** Removes the key if it still holds the version its last merge in this history gave it. */
    record Purge(int partition, int key) implements Step {
    }

    record Build(int partition) implements Step {
    }

    /**
     * Any interleaving of writes with the builds of single partitions, on a store that held
     * entries before the trees existed: once every tree is built, each equals the tree of a
     * scan of the final contents.
     */
    @Property(tries = 300)
    void treesBuiltBetweenWritesEqualTreesBuiltFromScratch(@ForAll("prefill") List<Merge> before,
                                                           @ForAll("histories") List<Step> history) {
        MemoryStorageEngine engine = MemoryStorageEngine.unlimited(PARTITIONS);
        for (Merge merge : before) {
            engine.merge(merge.partition(), key(merge.key()), merge.entry());
        }
        MerkleTrackingStorage storage = new MerkleTrackingStorage(engine, MerkleTrees.unbuilt(PARTITIONS));
        Version[][] last = new Version[PARTITIONS][64];
        for (Step step : history) {
            if (step instanceof Merge merge) {
                MergeResult result = storage.merge(merge.partition(), key(merge.key()), merge.entry());
                if (result.applied()) {
                    last[merge.partition()][merge.key()] = merge.entry().version();
                }
            } else if (step instanceof Purge purge) {
                Version version = last[purge.partition()][purge.key()];
                if (version != null) {
                    storage.removeIfVersion(purge.partition(), key(purge.key()), EntryVersion.of(version));
                }
            } else if (step instanceof Build build) {
                storage.build(build.partition());
            }
        }
        for (int partition = 0; partition < PARTITIONS; partition++) {
            storage.build(partition);
        }

        assertSameAsFromScratch(storage.trees(), engine);
    }

    /**
     * Writer threads hammer every partition while another thread builds the trees, with the
     * scan slowed down so writes land in the middle of it. Repeated with several seeds; the
     * seed of a failing run is in the assertion message.
     */
    @Test
    void treesBuiltWhileWritersRunEqualTreesBuiltFromScratch() throws Exception {
        long baseSeed = new Random().nextLong();
        System.out.println("MerkleTreeBuildTest seed " + baseSeed);
        for (int run = 0; run < 10; run++) {
            buildUnderConcurrentWrites(baseSeed + run);
        }
    }

    private static void buildUnderConcurrentWrites(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        MemoryStorageEngine engine = MemoryStorageEngine.unlimited(PARTITIONS);
        int keys = 2_000;
        for (int i = 0; i < 4_000; i++) {
            int key = random.nextInt(keys);
            engine.merge(key % PARTITIONS, key(key), randomEntry(random, 1_000));
        }
        MerkleTrackingStorage storage = new MerkleTrackingStorage(new SlowScans(engine), MerkleTrees.unbuilt(PARTITIONS));
        AtomicBoolean building = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(3);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            SplittableRandom own = random.split();
            Thread writer = new Thread(() -> {
                started.countDown();
                try {
                    while (building.get()) {
                        int key = own.nextInt(keys);
                        int partition = key % PARTITIONS;
                        Entry entry = randomEntry(own, 2_000);
                        storage.merge(partition, key(key), entry);
                        if (own.nextInt(10) == 0) {
                            storage.removeIfVersion(partition, key(key), entry.versions());
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "writer-" + w);
            writer.start();
            writers.add(writer);
        }
        started.await();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            storage.build(partition);
            Thread.sleep(1);
        }
        Thread.sleep(5);
        building.set(false);
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(failure.get()).as("writer failure (seed %d)", seed).isNull();
        assertThat(storage.trees().allBuilt()).isTrue();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            assertThat(differingLeaves(storage.trees(), MerkleTrees.of(engine, PARTITIONS), partition))
                    .as("leaves of partition %d unlike those built from scratch (seed %d)", partition, seed).isZero();
        }
    }

    @Test
    void aTreeNotBuiltIgnoresWritesUntilItsBuildAndThenFollowsThem() {
        MemoryStorageEngine engine = MemoryStorageEngine.unlimited(PARTITIONS);
        engine.merge(1, key(1), Entry.value(new byte[]{1}, new Version(10, 1)));
        MerkleTrackingStorage storage = new MerkleTrackingStorage(engine, MerkleTrees.unbuilt(PARTITIONS));

        storage.merge(1, key(2), Entry.value(new byte[]{2}, new Version(11, 1)));
        assertThat(storage.trees().isBuilt(1)).isFalse();
        assertThat(storage.trees().leafHashes(1)).containsOnly(0L);

        assertThat(storage.build(1)).isEqualTo(2);
        assertThat(storage.build(1)).as("a second build does nothing").isZero();
        storage.merge(1, key(3), Entry.tombstone(new Version(12, 1)));

        assertThat(storage.trees().isBuilt(1)).isTrue();
        assertThat(storage.trees().builtCount()).isEqualTo(1);
        assertThat(storage.trees().root(1)).isEqualTo(MerkleTrees.of(engine, PARTITIONS).root(1)).isNotZero();
    }

    private static void assertSameAsFromScratch(MerkleTrees trees, StorageEngine engine) {
        MerkleTrees scratch = MerkleTrees.of(engine, PARTITIONS);
        for (int partition = 0; partition < PARTITIONS; partition++) {
            assertThat(trees.isBuilt(partition)).isTrue();
            assertThat(differingLeaves(trees, scratch, partition))
                    .as("leaves of partition %d unlike those built from scratch", partition).isZero();
            assertThat(trees.root(partition)).isEqualTo(scratch.root(partition));
        }
    }

    private static int differingLeaves(MerkleTrees a, MerkleTrees b, int partition) {
        long[] leavesA = a.leafHashes(partition);
        long[] leavesB = b.leafHashes(partition);
        int differing = 0;
        for (int leaf = 0; leaf < MerkleTrees.LEAVES; leaf++) {
            if (leavesA[leaf] != leavesB[leaf]) {
                differing++;
            }
        }
        return differing;
    }

    @Provide
    Arbitrary<List<Merge>> prefill() {
        return merges().list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> purge = Combinators.combine(Arbitraries.integers().between(0, PARTITIONS - 1),
                Arbitraries.integers().between(0, 63)).as(Purge::new);
        Arbitrary<Step> build = Arbitraries.integers().between(0, PARTITIONS - 1).map(Build::new);
        return Arbitraries.frequencyOf(
                Tuple.of(6, merges().map(m -> (Step) m)),
                Tuple.of(1, purge),
                Tuple.of(2, build)).list().ofMaxSize(120);
    }

    private static Arbitrary<Merge> merges() {
        Arbitrary<Version> versions = Combinators.combine(Arbitraries.longs().between(1, 50),
                Arbitraries.integers().between(1, 3)).as(Version::new);
        Arbitrary<Entry> entries = Combinators.combine(versions, Arbitraries.integers().between(0, 4))
                .as((version, kind) -> kind == 0 ? Entry.tombstone(version) : Entry.value(new byte[]{kind.byteValue()}, version));
        return Combinators.combine(Arbitraries.integers().between(0, PARTITIONS - 1), Arbitraries.integers().between(0, 63),
                entries).as(Merge::new);
    }

    private static Entry randomEntry(SplittableRandom random, int maxStamp) {
        Version version = new Version(1 + random.nextInt(maxStamp), 1 + random.nextInt(3));
        return random.nextInt(5) == 0 ? Entry.tombstone(version) : Entry.value(new byte[]{(byte) random.nextInt()}, version);
    }

    private static byte[] key(int key) {
        return ("key-" + key).getBytes(StandardCharsets.UTF_8);
    }

    /** Passes everything through, but yields the thread every few entries of a scan so that writes land inside it. */
    private static final class SlowScans extends ForwardingStorageEngine {

        SlowScans(StorageEngine delegate) {
            super(delegate);
        }

        @Override
        public void forEachEntry(int partition, EntryVisitor visitor) {
            int[] seen = {0};
            delegate().forEachEntry(partition, (key, entry) -> {
                if (++seen[0] % 16 == 0) {
                    Thread.yield();
                }
                visitor.visit(key, entry);
            });
        }
    }
}
