package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.StorageFullException;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a storage engine holds, counted as it changes: values, tombstones, and approximate
 * bytes against the engine's limit. Every engine weighs an entry the same way, so a limit
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

    /** @param limitBytes writes that would take the engine past this are refused */
    public StorageAccounting(long limitBytes) {
        this.limitBytes = limitBytes;
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

    /** A key's entry went from {@code before} (null when absent) to {@code after}; its bytes are reserved already. */
    public void replaced(Entry before, Entry after) {
        count(before, -1);
        count(after, +1);
    }

    /** A key and its entry were removed. */
    public void removed(byte[] key, Entry entry) {
        release(weight(key, entry));
        count(entry, -1);
    }

    /** An entry already stored, counted when the counts are rebuilt by a scan. */
    public void counted(int keyLength, Entry entry) {
        bytes.addAndGet(weight(keyLength, entry));
        count(entry, +1);
    }

    /** Counts saved earlier, taken back when the engine reopens after a clean shutdown. */
    public void restore(long values, long tombstones, long bytes) {
        this.values.add(values);
        this.tombstones.add(tombstones);
        this.bytes.set(bytes);
    }

    public long values() {
        return values.sum();
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

    private void count(Entry entry, int delta) {
        if (entry != null) {
            (entry.isTombstone() ? tombstones : values).add(delta);
        }
    }
}
