package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.StorageFullException;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a storage engine holds, counted as it changes: values (in all and per partition),
 * tombstones, and approximate bytes against the engine's limit. Every engine weighs an entry the same way, so a limit
 * means the same whichever engine a node runs.
 *
 * <p>Thread-safe. Callers change the counts under their own per-key atomicity (a map's
 * compute, a striped lock), so a key's changes are counted in the order they happen;
 * writers racing at the limit may pass it by at most one entry each.
 */
public final class StorageAccounting {

    /** Approximate bytes the engine adds to each key: map node and key wrapper, or disk key and index. */
    public static final int KEY_OVERHEAD_BYTES = 64;

    private final long limitBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final LongAdder values = new LongAdder();
    private final LongAdder tombstones = new LongAdder();
    /** Values per partition: what DBSIZE sums, one replica per partition, without reading a key. */
    private final AtomicLongArray partitionValues;

    /**
     * @param limitBytes     writes that would take the engine past this are refused
     * @param partitionCount partitions of the ring the engine serves (values are counted per partition)
     */
    public StorageAccounting(long limitBytes, int partitionCount) {
        this.limitBytes = limitBytes;
        this.partitionValues = new AtomicLongArray(partitionCount);
    }

    /** The bytes a key and its entry count for. */
    public static long weight(byte[] key, Entry entry) {
        return weight(key.length, entry);
    }

    public static long weight(int keyLength, Entry entry) {
        return keyLength + KEY_OVERHEAD_BYTES + entry.sizeBytes();
    }

    /** What storing {@code entry} in place of {@code current} (null when absent) adds, in bytes. */
    public static long growth(byte[] key, Entry current, Entry entry) {
        return weight(key, entry) - (current == null ? 0 : weight(key, current));
    }

    /**
     * Counts {@code delta} bytes in; growth past the limit is refused and counts nothing.
     *
     * @throws StorageFullException when the bytes would pass the limit
     */
    public void reserve(long delta) {
        if (delta == 0) {
            return; // an overwrite of the same size, the common case: no shared counter to touch
        }
        if (delta > 0) {
            long used = bytes.get();
            if (used + delta > limitBytes) {
                throw new StorageFullException(used, delta, limitBytes);
            }
        }
        bytes.addAndGet(delta);
    }

    /** Takes back bytes reserved for a write that did not happen. */
    public void release(long delta) {
        bytes.addAndGet(-delta);
    }

    /**
     * A key of {@code partition} went from {@code before} (null when absent) to {@code after};
     * its bytes are reserved already.
     */
    public void replaced(int partition, Entry before, Entry after) {
        if (before != null && after != null && before.isTombstone() == after.isTombstone()) {
            return; // a value replaced by a value, or a tombstone by one: every count stays
        }
        count(partition, before, -1);
        count(partition, after, +1);
    }

    /** A key of {@code partition} and its entry were removed. */
    public void removed(int partition, byte[] key, Entry entry) {
        release(weight(key, entry));
        count(partition, entry, -1);
    }

    /** An entry already stored, counted when the counts are rebuilt by a scan. */
    public void counted(int partition, int keyLength, Entry entry) {
        bytes.addAndGet(weight(keyLength, entry));
        count(partition, entry, +1);
    }

    /**
     * Counts saved earlier, taken back when the engine reopens after a clean shutdown.
     *
     * @param partitionValues values per partition; MUST sum to {@code values}
     */
    public void restore(long values, long tombstones, long bytes, long[] partitionValues) {
        if (partitionValues.length != this.partitionValues.length()) {
            throw new IllegalArgumentException(partitionValues.length + " partition counts for "
                    + this.partitionValues.length() + " partitions");
        }
        this.values.add(values);
        this.tombstones.add(tombstones);
        this.bytes.set(bytes);
        for (int i = 0; i < partitionValues.length; i++) {
            this.partitionValues.addAndGet(i, partitionValues[i]);
        }
    }

    public long values() {
        return values.sum();
    }

    /** Keys of one partition whose entry is a value. */
    public long values(int partition) {
        return partitionValues.get(partition);
    }

    public int partitionCount() {
        return partitionValues.length();
    }

    public long tombstones() {
        return tombstones.sum();
    }

    public long bytes() {
        return bytes.get();
    }

    public long limitBytes() {
        return limitBytes;
    }

    private void count(int partition, Entry entry, int delta) {
        if (entry == null) {
            return;
        }
        if (entry.isTombstone()) {
            tombstones.add(delta);
        } else {
            values.add(delta);
            partitionValues.addAndGet(partition, delta);
        }
    }
}
