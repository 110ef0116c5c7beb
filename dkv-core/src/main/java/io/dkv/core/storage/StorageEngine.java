package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.StorageFullException;
import io.dkv.core.version.EntryVersion;

import java.util.concurrent.CompletableFuture;

/**
 * One node's local store of entries, grouped by ring partition.
 *
 * <p>Contract, checked for every engine by {@code StorageEngineContract}:
 * <ul>
 *   <li>{@link #merge} MUST keep what {@link Entry#merge} makes of the stored and the offered
 *       entry (register by register), atomically per key: concurrent merges of the same entries in any order leave the same result.</li>
 *   <li>An engine MUST NOT reject a merge that does not grow its size (a delete always
 *       fits), and MUST reject with {@link StorageFullException} one that would pass its
 *       limit, leaving the stored entry unchanged.</li>
 *   <li>Callers MUST pass each key's ring partition ({@code Ring.partitionOf}): an engine
 *       may locate a partition's keys by their hash instead of recording the number.</li>
 *   <li>Keys are compared by content. Callers MUST NOT modify arrays after handing them in,
 *       and MUST NOT modify arrays they get back.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface StorageEngine extends AutoCloseable {

    /** The stored entry (a value or a tombstone), or {@code null} when the key is absent. */
    Entry get(int partition, byte[] key);

    /**
     * Merges {@code entry} into the stored entry ({@link Entry#merge}); stores nothing when
     * the stored entry already holds every register at least as new.
     *
     * @throws StorageFullException when storing it would pass the engine's limit
     */
    MergeResult merge(int partition, byte[] key, Entry entry);

    /**
     * Merges a batch of one partition's entries, each as {@link #merge} would, and puts the
     * result for {@code keys[i]} in {@code results[i]} once it is stored. For streaming a
     * partition to a new replica: an engine may read the batch's current entries together
     * and store the winners with one write (one log record) instead of one per key. Each key
     * is atomic on its own; the batch as a whole is not: a concurrent merge of one of its
     * keys may come before or after it, with the same result either way.
     *
     * <p>Callers MUST pass distinct keys, all of {@code partition}, and a {@code results}
     * array of nulls at least as long as {@code keys}.
     *
     * @throws StorageFullException when storing the batch would pass the engine's limit; the
     *         results filled in before it was thrown are stored, the others (left null) are not
     */
    default void mergeAll(int partition, byte[][] keys, Entry[] entries, MergeResult[] results) {
        if (keys.length != entries.length || results.length < keys.length) {
            throw new IllegalArgumentException("a batch of " + keys.length + " keys needs as many entries and results, not "
                    + entries.length + " and " + results.length);
        }
        for (int i = 0; i < keys.length; i++) {
            results[i] = merge(partition, keys[i], entries[i]);
        }
    }

    /**
     * Removes the key only if its stored entry still has exactly {@code version} in every
     * register; used to purge tombstones and expired entries without losing a write (of
     * either register) that arrived since.
     */
    boolean removeIfVersion(int partition, byte[] key, EntryVersion version);

    /**
     * Removes each of one partition's keys whose stored entry still has exactly
     * {@code versions[i]}, as {@link #removeIfVersion} would, and sets {@code removed[i]}
     * when it did: how a flush drops what its mark hides. An engine may read the batch
     * together and delete with one write; each key is atomic on its own, the batch is not.
     *
     * <p>Callers MUST pass distinct keys, all of {@code partition}, and arrays of equal length.
     */
    default void removeAllIfVersion(int partition, byte[][] keys, EntryVersion[] versions, boolean[] removed) {
        for (int i = 0; i < keys.length; i++) {
            removed[i] = removeIfVersion(partition, keys[i], versions[i]);
        }
    }

    /**
     * Visits every entry of one partition. Weakly consistent: writes that run concurrently
     * may or may not be seen, and the visit never fails because of them.
     */
    void forEachEntry(int partition, EntryVisitor visitor);

    /**
     * Visits the partition's entries that died before {@code cutoffMillis}
     * ({@link Entry#deadSinceMillis()} below it): what a tombstone sweep looks for. Weakly
     * consistent like {@link #forEachEntry}. The default filters {@link #forEachEntry}; an
     * engine that can tell a live entry without building it skips those, so that a sweep over
     * live data allocates nothing per key.
     */
    default void forEachDeadBefore(int partition, long cutoffMillis, EntryVisitor visitor) {
        forEachEntry(partition, (key, entry) -> {
            if (entry.deadSinceMillis() < cutoffMillis) {
                visitor.visit(key, entry);
            }
        });
    }

    /**
     * Visits a partition's entries in {@link StreamOrder}, starting with the first key after
     * {@code after} (from the first key when it is {@code null}), until the scanner returns
     * false: how a partition is streamed to a new replica a chunk at a time. Weakly
     * consistent like {@link #forEachEntry}.
     */
    void scanAfter(int partition, byte[] after, EntryScanner scanner);

    /**
     * Visits a partition's entries in {@link StreamOrder} from the first whose ring hash
     * (unsigned) is at least {@code fromHash}, until the scanner returns false: how key scans
     * resume from a cursor that holds a hash, not a key. Weakly consistent like
     * {@link #forEachEntry}. The default skips the smaller hashes of a full scan; an engine
     * that keeps keys in hash order seeks instead.
     */
    default void scanFrom(int partition, long fromHash, EntryScanner scanner) {
        scanAfter(partition, null, (key, entry) ->
                Long.compareUnsigned(io.dkv.core.ring.KeyHash.of(key), fromHash) < 0 || scanner.visit(key, entry));
    }

    /**
     * Completes once every merge that returned before this call is as durable as the engine
     * promises an acknowledged write is; a replica answers a write only then. An engine that
     * syncs nothing, or syncs before a merge returns, answers at once; one that syncs its log
     * for many writers together (group commit) answers after that sync, on its own thread,
     * and fails with a {@code DkvException} when the sync fails.
     */
    CompletableFuture<Void> whenDurable();

    /** Keys whose entry is a value (tombstones not counted). */
    long keyCount();

    /**
     * Keys of one partition whose entry is a value, as {@link #keyCount()} counts them
     * (expired values not yet collected included). MUST be cheap: DBSIZE asks it of every
     * partition a node holds. The default counts by a scan, for engines that keep no count.
     */
    default long keyCount(int partition) {
        long[] values = {0};
        forEachEntry(partition, (key, entry) -> {
            if (!entry.isTombstone()) {
                values[0]++;
            }
        });
        return values[0];
    }

    /** Keys whose entry is a tombstone. */
    long tombstoneCount();

    /** Approximate bytes used by keys, values and bookkeeping. */
    long bytes();

    @Override
    void close();
}
