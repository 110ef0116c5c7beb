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
     * Removes the key only if its stored entry still has exactly {@code version} in every
     * register; used to purge tombstones and expired entries without losing a write (of
     * either register) that arrived since.
     */
    boolean removeIfVersion(int partition, byte[] key, EntryVersion version);

    /**
     * Visits every entry of one partition. Weakly consistent: writes that run concurrently
     * may or may not be seen, and the visit never fails because of them.
     */
    void forEachEntry(int partition, EntryVisitor visitor);

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

    /** Keys whose entry is a tombstone. */
    long tombstoneCount();

    /** Approximate bytes used by keys, values and bookkeeping. */
    long bytes();

    @Override
    void close();
}
