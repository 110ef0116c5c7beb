package io.dkv.server.storage;

import io.dkv.cluster.repair.MerkleTrackingStorage;
import io.dkv.cluster.repair.MerkleTrees;
import io.dkv.core.Entry;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;
import io.dkv.server.config.StorageSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a node receiving a partition stream spends on storing it: chunks of 1 MB of 1 KB
 * entries merged into a durable engine (behind the Merkle tracking a node puts in front),
 * one merge per entry against one {@code mergeAll} per chunk, into an empty store (the
 * first source) and again over the same entries (a second source: nothing newer). Both
 * ways run in one JVM, alternating, so a busy machine slows both alike. Not part of the
 * test run (its name does not match, and it needs {@code -Ddkv.bench=true}):
 *
 * <pre>nice -n 10 mvn -o -q -pl dkv-server -am test -Dtest=StreamMergeBench -Ddkv.bench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class StreamMergeBench {

    private static final int PARTITIONS = 4096;
    private static final int ENTRIES = Integer.getInteger("dkv.bench.entries", 100_000);
    private static final int VALUE_BYTES = 1_000;
    private static final int CHUNK_BYTES = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void perEntryMergesAgainstOneBatchPerChunk() {
        Assumptions.assumeTrue(Boolean.getBoolean("dkv.bench"), "a benchmark: run with -Ddkv.bench=true");
        List<Chunk> chunks = chunks();
        for (int round = 1; round <= 2; round++) {
            for (boolean batched : new boolean[] {false, true}) {
                Path dir = temp.resolve("r" + round + (batched ? "batch" : "single"));
                StorageSettings settings = new StorageSettings(StorageSettings.Kind.ROCKSDB, dir,
                        StorageSettings.Sync.PERIODIC, StorageSettings.DEFAULT_SYNC_INTERVAL_MILLIS,
                        StorageSettings.DEFAULT_BLOCK_CACHE_BYTES, StorageSettings.DEFAULT_WRITE_BUFFER_BYTES, 0);
                try (RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1)) {
                    StorageEngine engine = new MerkleTrackingStorage(store.storageEngine(PARTITIONS),
                            MerkleTrees.empty(PARTITIONS));
                    double first = pass(engine, chunks, batched);
                    double second = pass(engine, chunks, batched);
                    System.out.printf("round %d, %s: empty store %.0f MB/s, same entries again %.0f MB/s%n", round,
                            batched ? "mergeAll per chunk" : "merge per entry", first, second);
                }
            }
        }
    }

    /** Merges every chunk; returns MB of keys and values per second. */
    private static double pass(StorageEngine engine, List<Chunk> chunks, boolean batched) {
        long bytes = 0;
        long start = System.nanoTime();
        for (Chunk chunk : chunks) {
            if (batched) {
                engine.mergeAll(chunk.partition, chunk.keys, chunk.entries, new MergeResult[chunk.keys.length]);
            } else {
                for (int i = 0; i < chunk.keys.length; i++) {
                    engine.merge(chunk.partition, chunk.keys[i], chunk.entries[i]);
                }
            }
            bytes += chunk.bytes;
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private record Chunk(int partition, byte[][] keys, Entry[] entries, long bytes) {
    }

    /** Keys of 8 partitions, 1 MB chunks of each in turn (as four parallel streams deliver them). */
    private static List<Chunk> chunks() {
        SplittableRandom random = new SplittableRandom(1);
        int partitions = 8;
        List<List<byte[]>> keysOf = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            keysOf.add(new ArrayList<>());
        }
        for (int i = 0; keysOf.stream().mapToInt(List::size).sum() < ENTRIES; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
            int partition = (int) (((KeyHash.of(key) >>> 32) * PARTITIONS) >>> 32);
            if (partition < partitions) {
                keysOf.get(partition).add(key);
            }
        }
        List<Chunk> chunks = new ArrayList<>();
        int perChunk = CHUNK_BYTES / VALUE_BYTES;
        for (int p = 0; p < partitions; p++) {
            List<byte[]> keys = keysOf.get(p);
            for (int from = 0; from < keys.size(); from += perChunk) {
                int to = Math.min(keys.size(), from + perChunk);
                byte[][] chunkKeys = keys.subList(from, to).toArray(new byte[0][]);
                Entry[] entries = new Entry[chunkKeys.length];
                long bytes = 0;
                for (int i = 0; i < chunkKeys.length; i++) {
                    byte[] value = new byte[VALUE_BYTES];
                    random.nextBytes(value);
                    entries[i] = Entry.value(value, new Version(1_000 + from + i, 1));
                    bytes += chunkKeys[i].length + VALUE_BYTES;
                }
                chunks.add(new Chunk(p, chunkKeys, entries, bytes));
            }
        }
        return chunks;
    }
}
